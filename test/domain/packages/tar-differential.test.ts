// The registry's tar reader against the parsers clients install with: node-tar (npm, yarn 4),
// tar-stream (yarn 1 via tar-fs) and pnpm's own parser. For every tarball the registry accepts,
// all must see the same entries and package.json; every refused crafted case is one they misread.
// GATEHOUSE_TAR_CORPUS=<folder> also walks every *.tgz below that folder (the compatibility check's downloads).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/config.js';
import { GatehouseError } from '../../../src/domain/errors.js';
import { inspectTarball, type TarballLimits } from '../../../src/domain/packages/tarball.js';
import { foldName } from '../../../src/domain/packages/tarball-paths.js';
import { packageBuilder } from '../../fixtures/package-builder.js';
import { ACCEPTED, REFUSED, type RefusedCase } from '../../fixtures/tar-cases.js';
import { nodeTarView, pnpmView, registryView, tarStreamView, type TarView } from '../../fixtures/tar-views.js';

const LIMITS: TarballLimits = {
  maxUnpackedBytes: DEFAULTS.maxUnpackedBytes,
  maxFileCount: DEFAULTS.maxFileCount,
  maxPathDepth: DEFAULTS.maxPathDepth,
  maxPackageJsonBytes: 1024 * 1024,
};

interface Views {
  registry: TarView;
  nodeTar: TarView;
  tarStream: TarView;
  pnpm: TarView;
}

async function viewsOf(tgz: Buffer): Promise<Views> {
  return {
    registry: await registryView(tgz),
    nodeTar: await nodeTarView(tgz),
    tarStream: await tarStreamView(tgz),
    pnpm: pnpmView(tgz),
  };
}

/** What pnpm can be compared on: it keeps only regular files and hard links (as empty files). */
function filesOf(view: TarView): { files: string[]; packageJson?: string } {
  const files = view.entries.filter((e) => e.type === 'file' || e.type === 'link').map((e) => `${e.path} ${e.size}`);
  return { files, ...(view.packageJson !== undefined && { packageJson: view.packageJson }) };
}

/** Every way the client parsers differ from the registry on an accepted tarball; empty when they agree. */
function disagreements(v: Views): string[] {
  const found: string[] = [];
  const same = (a: TarView, b: TarView) =>
    JSON.stringify([a.entries, a.packageJson]) === JSON.stringify([b.entries, b.packageJson]);
  if (v.registry.error) found.push(`registry reader: ${v.registry.error}`);
  if (v.nodeTar.error || v.nodeTar.warnings?.length) found.push(`node-tar: ${v.nodeTar.error ?? v.nodeTar.warnings?.join('; ')}`);
  if (v.tarStream.error) found.push(`tar-stream: ${v.tarStream.error}`);
  if (!same(v.registry, v.nodeTar)) found.push('node-tar lists other entries or another package.json');
  if (!same(v.registry, v.tarStream)) found.push('tar-stream lists other entries or another package.json');
  // pnpm fails closed on forms it lacks (a GNU long link, no end marker): an install error, never another package.
  if (!v.pnpm.error && JSON.stringify(filesOf(v.pnpm)) !== JSON.stringify(filesOf(v.registry))) {
    found.push('pnpm keeps other files or another package.json');
  }
  return found;
}

async function expectAgreement(tgz: Buffer): Promise<void> {
  const summary = await inspectTarball(tgz, LIMITS);
  const views = await viewsOf(tgz);
  expect(disagreements(views)).toEqual([]);
  const files = views.nodeTar.entries.filter((e) => e.type === 'file');
  expect(summary.fileCount).toBe(files.length);
  expect(summary.unpackedSize).toBe(files.reduce((sum, e) => sum + e.size, 0));
  expect(summary.packageJson).toEqual(JSON.parse(views.nodeTar.packageJson!));
}

const BUILT: [string, Buffer][] = [
  ['a plain package', packageBuilder('a', '1.0.0').file('index.js', 'x').readme('# a\n').tarball()],
  [
    'long and non-ASCII names (pax)',
    packageBuilder('a', '1.0.0')
      .file(`lib/${'n'.repeat(180)}.js`, 'x')
      .file('lib/ünïcødé.js', 'x')
      .tarball(),
  ],
  [
    'a name split into a ustar prefix',
    packageBuilder('a', '1.0.0')
      .file(`${'pp/'.repeat(30)}deep.js`, 'x')
      .tarball(),
  ],
  [
    'links and directories',
    packageBuilder('a', '1.0.0')
      .rawEntry({ name: 'package/', type: 'directory' })
      .rawEntry({ name: 'package/lib/', type: 'directory' })
      .file('lib/cli.js', 'x')
      .rawEntry({ name: 'package/bin/cli', type: 'symlink', linkname: '../lib/cli.js' })
      .rawEntry({ name: 'package/lib/same.js', type: 'link', linkname: 'package/lib/cli.js' })
      .tarball(),
  ],
];

const REAL = readdirSync(new URL('../../fixtures/tarballs/', import.meta.url)).filter((f) => f.endsWith('.tgz'));
const realTarball = (file: string): Buffer => readFileSync(new URL(`../../fixtures/tarballs/${file}`, import.meta.url));

describe('the registry reads what clients extract', () => {
  for (const { what, tgz } of ACCEPTED) it(`agrees on a crafted archive with ${what}`, () => expectAgreement(tgz));
  for (const [what, tgz] of BUILT) it(`agrees on a package-builder tarball with ${what}`, () => expectAgreement(tgz));
  for (const file of REAL) it(`agrees on the real tarball ${file}`, () => expectAgreement(realTarball(file)));
});

/** Shows the claim each refused case makes about the client parsers holds. */
function expectMisreading(c: RefusedCase, v: Views): void {
  const libraries = [v.nodeTar, v.tarStream];
  switch (c.misreading) {
    case 'disagree': {
      const key = (view: TarView) => JSON.stringify([filesOf(view), view.error !== undefined, view.warnings?.length ?? 0]);
      const full = (view: TarView) => JSON.stringify([view.entries, view.packageJson, view.error !== undefined]);
      const differ = full(v.nodeTar) !== full(v.tarStream) || key(v.pnpm) !== key(v.nodeTar) || key(v.pnpm) !== key(v.tarStream);
      expect(differ, 'node-tar, tar-stream and pnpm read this archive alike').toBe(true);
      return;
    }
    case 'disk':
      for (const view of libraries) {
        const paths = view.entries.map((e) => e.path);
        const folded = new Set(paths.map(foldName));
        expect(folded.size, 'both parsers should list two names one disk file would hold').toBeLessThan(paths.length);
      }
      return;
    case 'duplicate':
      for (const view of libraries) {
        const sizes = new Set(view.raw.filter((e) => e.path === 'package.json').map((e) => e.size));
        expect(sizes.size).toBeGreaterThan(1);
        // The client keeps the last one, which is not the one a reader stopping at the first would inspect.
        expect(view.packageJson).toContain('preinstall');
      }
  }
}

describe('every refused ambiguous archive is one the client parsers misread', () => {
  for (const c of REFUSED) {
    it(`refuses ${c.what} (${c.code}), which the parsers read differently`, async () => {
      const err: unknown = await inspectTarball(c.tgz, LIMITS).then(
        () => expect.unreachable('the tarball was accepted'),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(GatehouseError);
      expect((err as GatehouseError).code).toBe(c.code);
      expectMisreading(c, await viewsOf(c.tgz));
    });
  }
});

function tarballsBelow(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(folder, f))
    .sort();
}

// Opt-in, and not registered at all otherwise: CI reports no skipped test for it.
const corpus = process.env['GATEHOUSE_TAR_CORPUS'];
if (corpus) describeCorpus(corpus);

function describeCorpus(corpus: string): void {
  describe('a corpus of real tarballs (GATEHOUSE_TAR_CORPUS)', () => {
    it('agrees with the client parsers on every tarball the registry accepts', { timeout: 60 * 60 * 1000 }, async () => {
      const refused = new Map<string, string[]>();
      const disagreeing: string[] = [];
      let accepted = 0;
      for (const path of tarballsBelow(corpus)) {
        const tgz = readFileSync(path);
        const code = await inspectTarball(tgz, LIMITS).then(
          () => undefined,
          (e: unknown) => (e instanceof GatehouseError ? `${e.code}: ${e.message}` : String(e)),
        );
        if (code !== undefined) {
          refused.set(code, [...(refused.get(code) ?? []), path]);
          continue;
        }
        accepted += 1;
        const found = disagreements(await viewsOf(tgz));
        if (found.length > 0) disagreeing.push(`${path}: ${found.join(', ')}`);
      }
      const refusedCount = [...refused.values()].reduce((n, paths) => n + paths.length, 0);
      console.log(`tar corpus: ${accepted} accepted and agreed on, ${refusedCount} refused`);
      for (const [reason, paths] of refused)
        console.log(`  refused (${paths.length}): ${reason}\n    ${paths.slice(0, 5).join('\n    ')}`);
      expect(disagreeing).toEqual([]);
      expect(accepted + refusedCount).toBeGreaterThan(0);
    });
  });
}
