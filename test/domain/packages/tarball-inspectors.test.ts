// Inspectors (src/domain/packages/tarball-inspectors.ts) are offered every entry a client extracts,
// with each regular file's bytes, once per archive read, within a time budget. Scanners will rely
// on seeing exactly what a client unpacks: the last copy of a duplicated file and nothing else.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/domain/jobs/clock.js';
import { fail } from '../../../src/domain/errors.js';
import { inspectTarball, type TarballLimits } from '../../../src/domain/packages/tarball.js';
import type { InspectedEntry, TarballInspector } from '../../../src/domain/packages/tarball-inspectors.js';
import { packageBuilder } from '../../fixtures/package-builder.js';

const LIMITS: TarballLimits = {
  maxUnpackedBytes: 10 * 1024 * 1024,
  maxFileCount: 50,
  maxPathDepth: 8,
  maxPackageJsonBytes: 64 * 1024,
};

type Offered = { entry: InspectedEntry; text: string }[];

/** An inspector that writes down what it was offered, bytes as text, and returns that list. */
function recorder(): TarballInspector<Offered> {
  const seen: Offered = [];
  return {
    name: 'recorder',
    entry: (entry, bytes) => void seen.push({ entry, text: bytes.toString('utf8') }),
    finish: () => seen,
  };
}

async function refusalCode(promise: Promise<unknown>): Promise<string | undefined> {
  const err: unknown = await promise.then(
    () => expect.unreachable('the tarball was accepted'),
    (e: unknown) => e,
  );
  return (err as { code?: string }).code;
}

describe('tarball inspectors', () => {
  it('are offered every entry in archive order, each regular file with its bytes, and give back their result', async () => {
    const pkg = packageBuilder('seen', '1.0.0').readme('# seen\n').file('lib/index.js', 'module.exports = 1;\n');
    const tgz = pkg
      .rawEntry({ name: 'package/bin/', type: 'directory' })
      .rawEntry({ name: 'package/bin/run', type: 'symlink', linkname: '../lib/index.js' })
      .tarball();
    const summary = await inspectTarball(tgz, LIMITS, { inspectors: [recorder] });
    const seen = summary.results.get('recorder') as Offered;
    const packageJson = JSON.stringify(pkg.manifest(), null, 2) + '\n';
    expect(seen).toEqual([
      { entry: { path: 'package.json', type: 'file', size: Buffer.byteLength(packageJson) }, text: packageJson },
      { entry: { path: 'README.md', type: 'file', size: 7 }, text: '# seen\n' },
      { entry: { path: 'lib/index.js', type: 'file', size: 20 }, text: 'module.exports = 1;\n' },
      { entry: { path: 'bin', type: 'directory', size: 0 }, text: '' },
      { entry: { path: 'bin/run', type: 'symlink', size: 0 }, text: '' },
    ]);
    // The built-in inspectors still make the summary publish stores.
    expect(summary).toMatchObject({ fileCount: 3, readme: { filename: 'README.md', text: '# seen\n' } });
  });

  it('see only the last copy of a duplicated file, as tar extraction keeps it, and each path once', async () => {
    const tgz = packageBuilder('dup', '1.0.0')
      .file('lib/a.js', 'first a')
      .file('lib/b.js', 'only b')
      .rawEntry({ name: 'package/./lib/a.js', body: 'last a' })
      .rawEntry({ name: 'package/lib/', type: 'directory' })
      .rawEntry({ name: 'package/lib/', type: 'directory' })
      .tarball();
    const summary = await inspectTarball(tgz, LIMITS, { inspectors: [recorder] });
    const seen = summary.results.get('recorder') as Offered;
    expect(seen.map((s) => [s.entry.path, s.text])).toEqual([
      ['package.json', expect.any(String)],
      ['lib/b.js', 'only b'],
      ['lib/a.js', 'last a'],
      ['lib', ''],
    ]);
    expect(summary.fileCount).toBe(3);
  });

  it('refuse a tarball with their own catalog error, and an inspector bug is not taken for a bad archive', async () => {
    const tgz = packageBuilder('bad', '1.0.0').file('evil.js', 'EICAR-like marker').tarball();
    const scanner = () => ({
      name: 'scanner',
      entry(entry: InspectedEntry, bytes: Buffer) {
        if (bytes.includes('marker')) fail('Forbidden', `${entry.path} matches a known-bad rule.`);
      },
      finish: () => 'clean',
    });
    expect(await refusalCode(inspectTarball(tgz, LIMITS, { inspectors: [scanner] }))).toBe('Forbidden');
    const broken = () => ({
      name: 'broken',
      entry() {
        throw new TypeError('oops');
      },
      finish: () => undefined,
    });
    const err = await inspectTarball(tgz, LIMITS, { inspectors: [broken] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: string }).code).toBeUndefined();
    expect((err as Error).message).toContain('"broken"');
  });

  it('stop at the time budget, refusing with TarballInspectionTimeout, including while an inspector awaits', async () => {
    const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const tgz = packageBuilder('slow', '1.0.0').file('a.js', 'a').file('b.js', 'b').file('c.js', 'c').tarball();
    const offered: string[] = [];
    const slow = () => ({
      name: 'slow',
      entry(entry: InspectedEntry) {
        offered.push(entry.path);
        clock.advance(600);
      },
      finish: () => undefined,
    });
    const options = { inspectors: [slow], budgetMs: 1000, now: () => clock.now() };
    expect(await refusalCode(inspectTarball(tgz, LIMITS, options))).toBe('TarballInspectionTimeout');
    // Refused as soon as the budget was spent: the files after it were never offered.
    expect(offered).toEqual(['package.json', 'a.js']);

    // An inspector whose work never finishes is not waited for once the budget is gone.
    const stuck = () => ({
      name: 'stuck',
      entry() {
        clock.advance(5000);
        return new Promise<void>(() => {});
      },
      finish: () => undefined,
    });
    const stuckOptions = { inspectors: [stuck], budgetMs: 1000, now: () => clock.now() };
    expect(await refusalCode(inspectTarball(tgz, LIMITS, stuckOptions))).toBe('TarballInspectionTimeout');
  });

  // The read that meets a duplicate has offered a copy no client keeps: its inspectors are dropped
  // unfinished, so an inspector acts on what it saw only in finish().
  it('give each read of the archive new inspectors, so a duplicate restarts them cleanly', async () => {
    let created = 0;
    const counting = () => {
      created += 1;
      const paths: string[] = [];
      return { name: 'paths', entry: (e: InspectedEntry) => void paths.push(e.path), finish: () => paths };
    };
    const plain = packageBuilder('once', '1.0.0').file('a.js', 'a').tarball();
    await inspectTarball(plain, LIMITS, { inspectors: [counting] });
    expect(created).toBe(1);
    const dup = packageBuilder('twice', '1.0.0').file('a.js', 'a').rawEntry({ name: 'package/a.js', body: 'b' }).tarball();
    const summary = await inspectTarball(dup, LIMITS, { inspectors: [counting] });
    expect(created).toBe(3);
    expect(summary.results.get('paths')).toEqual(['package.json', 'a.js']);
  });
});
