// What publish learns from, and refuses in, an uploaded tarball (src/domain/packages/tarball.ts).
// Every malicious fixture is built in memory; nothing here unpacks to disk.

import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../src/domain/errors.js';
import { inspectTarball, type TarballLimits } from '../../../src/domain/packages/tarball.js';
import { gzipBomb, gzipZeros, packageBuilder, type RawEntry } from '../../fixtures/package-builder.js';

const MiB = 1024 * 1024;
const LIMITS: TarballLimits = {
  maxUnpackedBytes: 10 * MiB,
  maxFileCount: 50,
  maxPathDepth: 8,
  maxPackageJsonBytes: 64 * 1024,
};

async function refusal(tgz: Buffer, limits: TarballLimits = LIMITS): Promise<ErrorCode> {
  const err: unknown = await inspectTarball(tgz, limits).then(
    () => expect.unreachable('the tarball was accepted'),
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ name: 'GatehouseError' });
  return (err as { code: ErrorCode }).code;
}

function withEntry(entry: RawEntry): Buffer {
  return packageBuilder('left-pad', '1.0.0').file('index.js', 'x').rawEntry(entry).tarball();
}

describe('inspecting a package tarball', () => {
  it('reports package.json, file count, unpacked size and README of a normal package', async () => {
    const index = 'module.exports = (s, n) => s.padStart(n);\n';
    const pkg = packageBuilder('left-pad', '1.0.0').file('index.js', index).dependency('foo', '^1.0.0').readme('# left-pad\n');
    const summary = await inspectTarball(pkg.tarball(), LIMITS);
    const packageJsonBytes = Buffer.byteLength(JSON.stringify(pkg.manifest(), null, 2) + '\n');
    expect(summary.packageJson).toEqual({ name: 'left-pad', version: '1.0.0', dependencies: { foo: '^1.0.0' } });
    expect(summary.fileCount).toBe(3);
    expect(summary.unpackedSize).toBe(packageJsonBytes + Buffer.byteLength(index) + Buffer.byteLength('# left-pad\n'));
    expect(summary.readme).toEqual({ filename: 'README.md', text: '# left-pad\n' });
  });

  it('prefers README.md over other top-level READMEs, whatever their case', async () => {
    const tgz = packageBuilder('a', '1.0.0')
      .file('README.txt', 'plain')
      .file('readme.MD', '# md')
      .file('lib/README.md', 'nested')
      .tarball();
    expect((await inspectTarball(tgz, LIMITS)).readme).toEqual({ filename: 'readme.MD', text: '# md' });
  });

  it('falls back to the first top-level README of any kind', async () => {
    const tgz = packageBuilder('a', '1.0.0').file('README', 'plain').tarball();
    expect((await inspectTarball(tgz, LIMITS)).readme).toEqual({ filename: 'README', text: 'plain' });
  });

  it('has no readme when the package has none', async () => {
    const tgz = packageBuilder('a', '1.0.0').file('lib/README.md', 'nested only').tarball();
    expect((await inspectTarball(tgz, LIMITS)).readme).toBeUndefined();
  });

  it('cuts a README longer than 1 MiB at 1 MiB without splitting a character', async () => {
    const tgz = packageBuilder('a', '1.0.0').readme('é'.repeat(MiB)).tarball(); // 2 MiB of 2-byte characters
    const summary = await inspectTarball(tgz, { ...LIMITS, maxUnpackedBytes: 4 * MiB });
    expect(summary.readme?.text).toBe('é'.repeat(MiB / 2));
  });

  it('accepts a symlink that stays inside the package', async () => {
    const tgz = packageBuilder('a', '1.0.0')
      .file('lib/cli.js', 'x')
      .rawEntry({ name: 'package/bin/cli', type: 'symlink', linkname: '../lib/cli.js' })
      .tarball();
    const summary = await inspectTarball(tgz, LIMITS);
    expect(summary.fileCount).toBe(2); // links are not files in npm's dist.fileCount
  });

  it('accepts directory entries, as old npm versions packed them', async () => {
    const tgz = packageBuilder('a', '1.0.0')
      .rawEntry({ name: 'package/', type: 'directory' })
      .rawEntry({ name: 'package/lib/', type: 'directory' })
      .tarball();
    expect((await inspectTarball(tgz, LIMITS)).fileCount).toBe(1);
  });

  it('counts only the last of duplicate files, as a client extracts them', async () => {
    const pkg = packageBuilder('a', '1.0.0');
    const packageJsonBytes = Buffer.byteLength(JSON.stringify(pkg.manifest(), null, 2) + '\n');
    const tgz = pkg
      .file('lib/index.js', 'first version')
      .rawEntry({ name: 'package/./lib/index.js', body: 'last' })
      .rawEntry({ name: 'package/README.md', body: '# first' })
      .rawEntry({ name: 'package/README.md', body: '# last' })
      .tarball();
    const summary = await inspectTarball(tgz, LIMITS);
    expect(summary).toMatchObject({ fileCount: 3, unpackedSize: packageJsonBytes + 4 + 6 });
    expect(summary.readme).toEqual({ filename: 'README.md', text: '# last' });
  });

  it('notes a top-level binding.gyp, which makes npm run node-gyp at install', async () => {
    const gyp = (path: string) => packageBuilder('a', '1.0.0').file(path, '{}').tarball();
    expect((await inspectTarball(gyp('binding.gyp'), LIMITS)).hasBindingGyp).toBe(true);
    expect((await inspectTarball(gyp('src/binding.gyp'), LIMITS)).hasBindingGyp).toBe(false);
  });

  it('accepts a hard link to a file under the same top folder, whatever it is called', async () => {
    const tgz = packageBuilder('a', '1.0.0')
      .rawPackageJson(null)
      .rawEntry({ name: 'estree/package.json', body: '{"name":"a","version":"1.0.0"}' })
      .rawEntry({ name: 'estree/same.json', type: 'link', linkname: 'estree/package.json' })
      .tarball();
    expect((await inspectTarball(tgz, LIMITS)).fileCount).toBe(1);
  });

  it('gives the same bytes for the same package, so fixtures are stable', () => {
    const build = (): Buffer => packageBuilder('a', '1.0.0').file('index.js', 'x').tarball();
    expect(build().equals(build())).toBe(true);
  });
});

describe('refusing unsafe paths', () => {
  const cases: [string, RawEntry][] = [
    ['a path climbing out with ..', { name: '../evil', body: 'x' }],
    ['a path climbing out from inside package/', { name: 'package/../../evil', body: 'x' }],
    ['a .. segment that stays inside', { name: 'package/lib/../index2.js', body: 'x' }],
    ['an absolute path', { name: '/etc/cron.d/evil', body: 'x' }],
    ['a Windows drive path', { name: 'C:/evil', body: 'x' }],
    ['a backslash', { name: 'package\\..\\evil', body: 'x' }],
    ['a NUL character', { name: 'package/evil\0.js', body: 'x' }],
    ['a second top-level folder', { name: 'other/index.js', body: 'x' }],
    ['a file at the top level', { name: 'index.js', body: 'x' }],
    ['a file where the package/ folder belongs', { name: 'package', body: 'x' }],
    ['a path deeper than the limit', { name: `package/${'d/'.repeat(8)}deep.js`, body: 'x' }],
    ['a symlink to an absolute path', { name: 'package/passwd', type: 'symlink', linkname: '/etc/passwd' }],
    ['a symlink that climbs out', { name: 'package/up', type: 'symlink', linkname: '../../etc' }],
    ['a symlink to the folder above package/', { name: 'package/up', type: 'symlink', linkname: '..' }],
    ['a hard link to a file outside', { name: 'package/passwd', type: 'link', linkname: '/etc/passwd' }],
    ['a hard link to another top-level folder', { name: 'package/x', type: 'link', linkname: 'other/x' }],
    ['a character device', { name: 'package/tty', type: 'character-device' }],
    ['a block device', { name: 'package/disk', type: 'block-device' }],
    ['a fifo', { name: 'package/pipe', type: 'fifo' }],
    ['a symlink where a file already is', { name: 'package/index.js', type: 'symlink', linkname: 'x' }],
    ['a folder where a file already is', { name: 'package/index.js/', type: 'directory' }],
    ['a file inside a file', { name: 'package/index.js/inner.js', body: 'x' }],
    ['a path that starts with ./', { name: './package/evil.js', body: 'x' }],
  ];
  for (const [what, entry] of cases) {
    it(`refuses ${what}`, async () => {
      expect(await refusal(withEntry(entry))).toBe('TarballUnsafePath');
    });
  }

  it('refuses a hard link into another top folder, which clients would strip to a path inside', async () => {
    const tgz = packageBuilder('a', '1.0.0')
      .rawPackageJson(null)
      .rawEntry({ name: 'estree/package.json', body: '{"name":"a","version":"1.0.0"}' })
      .rawEntry({ name: 'estree/x', type: 'link', linkname: 'package/package.json' })
      .tarball();
    expect(await refusal(tgz)).toBe('TarballUnsafePath');
  });

  it('refuses a file written through a symlink to a folder', async () => {
    const tgz = packageBuilder('a', '1.0.0')
      .rawEntry({ name: 'package/lib', type: 'symlink', linkname: '.' })
      .rawEntry({ name: 'package/lib/x.js', body: 'x' })
      .tarball();
    expect(await refusal(tgz)).toBe('TarballUnsafePath');
  });

  it('refuses a symlink that escapes through another symlink', async () => {
    // Each link alone resolves inside package/, but here/.. is the folder above package/ on disk.
    const tgz = packageBuilder('a', '1.0.0')
      .rawEntry({ name: 'package/here', type: 'symlink', linkname: '.' })
      .rawEntry({ name: 'package/out', type: 'symlink', linkname: 'here/../x' })
      .tarball();
    expect(await refusal(tgz)).toBe('TarballUnsafePath');
  });

  it('refuses symlinks that point at each other in a loop', async () => {
    const tgz = packageBuilder('a', '1.0.0')
      .rawEntry({ name: 'package/a', type: 'symlink', linkname: 'b/x' })
      .rawEntry({ name: 'package/b', type: 'symlink', linkname: 'a/x' })
      .tarball();
    expect(await refusal(tgz)).toBe('TarballUnsafePath');
  });
});

describe('refusing oversized tarballs', () => {
  it('refuses a 1 GiB gzip bomb quickly and without buffering it', async () => {
    const bomb = gzipBomb(1024 * MiB);
    expect(bomb.length).toBeLessThan(2 * MiB);
    const before = process.memoryUsage().rss;
    const started = Date.now();
    expect(await refusal(bomb)).toBe('TarballTooLarge');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * MiB);
  });

  it('refuses endless zero blocks after the end-of-archive marker without buffering them', async () => {
    const zeros = gzipZeros(256 * MiB);
    const before = process.memoryUsage().rss;
    // Past a little record padding, more zeros are not padding any tar tool writes.
    expect(await refusal(zeros)).toBe('TarballAmbiguous');
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * MiB);
  });

  it('refuses files that together unpack to more than the limit', async () => {
    const tgz = packageBuilder('a', '1.0.0').file('a.bin', Buffer.alloc(600)).file('b.bin', Buffer.alloc(600)).tarball();
    expect(await refusal(tgz, { ...LIMITS, maxUnpackedBytes: 1000 })).toBe('TarballTooLarge');
  });

  it('accepts a package exactly at the size and file count limits', async () => {
    const limits = { ...LIMITS, maxFileCount: 3 };
    const pkg = packageBuilder('a', '1.0.0').file('a.js', 'x');
    const packageJsonBytes = Buffer.byteLength(JSON.stringify(pkg.manifest(), null, 2) + '\n');
    pkg.file('big.bin', Buffer.alloc(limits.maxUnpackedBytes - packageJsonBytes - 1));
    const summary = await inspectTarball(pkg.tarball(), limits);
    expect(summary).toMatchObject({ fileCount: 3, unpackedSize: limits.maxUnpackedBytes });
  });

  it('refuses more files than the limit', async () => {
    const pkg = packageBuilder('a', '1.0.0');
    for (let i = 0; i < LIMITS.maxFileCount; i++) pkg.file(`f${i}.js`, 'x'); // plus package.json
    expect(await refusal(pkg.tarball())).toBe('TarballTooManyFiles');
  });
});

describe('refusing a missing or broken package.json', () => {
  it('refuses a tarball without package/package.json', async () => {
    const tgz = packageBuilder('a', '1.0.0').rawPackageJson(null).file('index.js', 'x').tarball();
    expect(await refusal(tgz)).toBe('TarballMissingPackageJson');
  });

  it('reads package.json under any single top folder, as clients strip whatever it is called', async () => {
    const tgz = packageBuilder('a', '1.0.0')
      .rawPackageJson(null)
      .rawEntry({ name: 'node v20.19/package.json', body: '{"name":"@types/node","version":"20.19.43"}' })
      .rawEntry({ name: 'node v20.19/index.d.ts', body: 'export {};' })
      .tarball();
    expect(await inspectTarball(tgz, LIMITS)).toMatchObject({ packageJson: { name: '@types/node' }, fileCount: 2 });
  });

  it('refuses a package.json in a second top-level folder as a misplaced path', async () => {
    const tgz = packageBuilder('a', '1.0.0')
      .rawPackageJson(null)
      .file('index.js', 'x')
      .rawEntry({ name: 'node/package.json', body: '{}' })
      .tarball();
    expect(await refusal(tgz)).toBe('TarballUnsafePath');
  });

  for (const [what, body] of [
    ['invalid JSON', '{"name": "a",'],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['a JSON string', '"a"'],
  ] as const) {
    it(`refuses package.json that is ${what}`, async () => {
      expect(await refusal(packageBuilder('a', '1.0.0').rawPackageJson(body).tarball())).toBe('TarballBadPackageJson');
    });
  }

  it('refuses package.json larger than the limit', async () => {
    const tgz = packageBuilder('a', '1.0.0')
      .packageJson({ description: 'x'.repeat(2000) })
      .tarball();
    expect(await refusal(tgz, { ...LIMITS, maxPackageJsonBytes: 1000 })).toBe('TarballBadPackageJson');
  });

  it('accepts package.json starting with a byte order mark, as npm does', async () => {
    const tgz = packageBuilder('a', '1.0.0').rawPackageJson('\uFEFF{"name":"a","version":"1.0.0"}').tarball();
    expect((await inspectTarball(tgz, LIMITS)).packageJson).toEqual({ name: 'a', version: '1.0.0' });
  });
});

describe('refusing what is not a gzip tarball', () => {
  it('refuses bytes that are not gzip', async () => {
    expect(await refusal(Buffer.from('PK\u0003\u0004 this is a zip file'))).toBe('TarballNotGzip');
  });

  it('refuses an empty upload', async () => {
    expect(await refusal(Buffer.alloc(0))).toBe('TarballNotGzip');
  });

  it('refuses a truncated gzip stream', async () => {
    const tgz = packageBuilder('a', '1.0.0').file('index.js', 'x'.repeat(10_000)).tarball();
    expect(await refusal(tgz.subarray(0, tgz.length - 20))).toBe('TarballNotGzip');
  });

  it('refuses gzip that does not hold a tar archive', async () => {
    expect(await refusal(gzipSync(Buffer.from('just text, not a tar archive\n'.repeat(100))))).toBe('TarballNotGzip');
  });

  it('refuses a tar archive cut off inside a file', async () => {
    const tar = Buffer.alloc(512 + 100);
    const full = packageBuilder('a', '1.0.0').file('big.bin', Buffer.alloc(5000)).tarball();
    // Re-gzip the first 612 bytes of a real tar: a valid gzip stream whose tar ends mid-entry.
    gunzipSync(full).copy(tar, 0, 0, tar.length);
    expect(await refusal(gzipSync(tar))).toBe('TarballNotGzip');
  });
});
