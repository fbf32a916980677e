// The pure parts of `gatehouse install`: the allowScripts policy as npm 12 reads it, the platform
// and omit plan, integrity choice, and the tarball refusals (the e2e file installs real trees).
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPackageFiles } from '../../src/client/install/extract.js';
import { strongest, verify } from '../../src/client/install/integrity.js';
import { planInstall, type Platform } from '../../src/client/install/plan.js';
import { identityOf, installScripts, isAllowed, resolvePolicy } from '../../src/client/install/scripts.js';
import { globMatches } from '../../src/client/install/settings.js';
import { Staging } from '../../src/client/install/staging.js';
import { parseLockfile, type LockedPackage } from '../../src/client/lockfile.js';
import { packageBuilder } from '../fixtures/package-builder.js';

const linux: Platform = { os: 'linux', cpu: 'x64', libc: 'glibc', node: 'v20.20.2' };
const pkg = (path: string, extra: Partial<LockedPackage> = {}): LockedPackage => ({
  path,
  name: path.slice(path.lastIndexOf('node_modules/') + 13),
  version: '1.0.0',
  ...extra,
});
const at = (name: string, version: string, registry = 'http://127.0.0.1:4873') =>
  pkg(`node_modules/${name}`, { version, resolved: `${registry}/${name}/-/${name.split('/').pop()}-${version}.tgz` });

describe('allowScripts, as npm 12 matches it', () => {
  const policyOf = (allowScripts: Record<string, boolean>) => resolvePolicy({ allowScripts }, []);

  it('allows by bare name, name@*, exact versions and ||-joined versions; anything else is unreviewed', () => {
    const { policy } = policyOf({ a: true, 'b@*': true, '@s/c@2.0.0': true, 'd@1.0.0 || 1.0.1': true });
    expect(isAllowed(at('a', '9.9.9'), identityOf(at('a', '9.9.9'), []), policy)).toBe(true);
    expect(isAllowed(at('b', '1.0.0'), identityOf(at('b', '1.0.0'), []), policy)).toBe(true);
    expect(isAllowed(at('@s/c', '2.0.0'), identityOf(at('@s/c', '2.0.0'), []), policy)).toBe(true);
    expect(isAllowed(at('@s/c', '2.0.1'), identityOf(at('@s/c', '2.0.1'), []), policy)).toBeUndefined();
    expect(isAllowed(at('d', '1.0.1'), identityOf(at('d', '1.0.1'), []), policy)).toBe(true);
    expect(isAllowed(at('e', '1.0.0'), identityOf(at('e', '1.0.0'), []), policy)).toBeUndefined();
  });

  it('drops ranges and dist-tags with a warning, and a deny wins over an allow', () => {
    const { policy, warnings } = policyOf({ 'a@^1.0.0': true, 'b@latest': true, c: true, 'c@1.0.0': false });
    expect(Object.keys(policy ?? {})).toEqual(['c', 'c@1.0.0']);
    expect(warnings.join('\n')).toMatch(/a@\^1\.0\.0.*semver ranges/);
    expect(warnings.join('\n')).toMatch(/b@latest.*dist-tags/);
    expect(isAllowed(at('c', '1.0.0'), identityOf(at('c', '1.0.0'), []), policy)).toBe(false);
  });

  it('identifies a package by its resolved URL, not by the name in the lockfile or its package.json', () => {
    const forged = { ...at('evil', '1.0.0'), name: 'trusted' };
    const { policy } = policyOf({ trusted: true });
    expect(identityOf(forged, [])).toMatchObject({ name: 'evil', version: '1.0.0' });
    expect(isAllowed(forged, identityOf(forged, []), policy)).toBeUndefined();
  });

  it('never runs the scripts of a bundled package, and counts node-gyp as an install script', () => {
    const bundled = { ...at('a', '1.0.0'), inBundle: true };
    expect(isAllowed(bundled, identityOf(bundled, []), policyOf({ a: true }).policy)).toBeUndefined();
    expect(installScripts({ scripts: { postinstall: 'node x' } }, true)).toEqual({
      postinstall: 'node x',
      install: 'node-gyp rebuild',
    });
    expect(installScripts({ gypfile: false }, true)).toEqual({});
    expect(installScripts({ scripts: { preinstall: 'x' } }, true)).toEqual({ preinstall: 'x' });
  });

  it('reads the .npmrc list only when package.json has no allowScripts', () => {
    expect(resolvePolicy({}, ['a', 'b']).policy).toEqual({ a: true, b: true });
    expect(resolvePolicy({ allowScripts: { c: true } }, ['a']).policy).toEqual({ c: true });
  });
});

describe('the install plan', () => {
  const lock = (packages: Record<string, unknown>) =>
    parseLockfile(
      JSON.stringify({ name: 'p', lockfileVersion: 3, requires: true, packages: { '': { name: 'p' }, ...packages } }),
      'package-lock.json',
    );

  it('skips an optional package for another os with what only it needs, and refuses a required one', () => {
    const l = lock({
      'node_modules/a': { version: '1.0.0', optionalDependencies: { 'a-win': '1.0.0' } },
      'node_modules/a-win': { version: '1.0.0', optional: true, os: ['win32'], dependencies: { helper: '1.0.0' } },
      'node_modules/helper': { version: '1.0.0', optional: true },
      'node_modules/a-linux': { version: '1.0.0', optional: true, os: ['linux'], cpu: ['!arm64'] },
    });
    const plan = planInstall(l, new Set(), linux);
    expect(plan.install.map((p) => p.path)).toEqual(['node_modules/a', 'node_modules/a-linux']);
    expect(plan.skipped.map((s) => s.pkg.path)).toEqual(['node_modules/a-win', 'node_modules/helper']);
    expect(() => planInstall(lock({ 'node_modules/b': { version: '1.0.0', os: ['darwin'] } }), new Set(), linux)).toThrow(
      /does not run on this platform: it needs os \["darwin"\]/,
    );
  });

  it('omits as npm does: devOptional only when both dev and optional are omitted', () => {
    const l = lock({
      'node_modules/d': { version: '1.0.0', dev: true },
      'node_modules/o': { version: '1.0.0', optional: true },
      'node_modules/x': { version: '1.0.0', devOptional: true },
      'node_modules/p': { version: '1.0.0', peer: true },
    });
    expect(planInstall(l, new Set(['dev']), linux).install.map((p) => p.name)).toEqual(['o', 'x', 'p']);
    expect(planInstall(l, new Set(['dev', 'optional']), linux).install.map((p) => p.name)).toEqual(['p']);
    expect(planInstall(l, new Set(['peer']), linux).install.map((p) => p.name)).toEqual(['d', 'o', 'x']);
  });
});

describe('integrity', () => {
  it('checks sha512 when pinned, sha1 only when it is all there is', () => {
    expect(strongest('sha1-AAAA sha512-BBBB')?.algorithm).toBe('sha512');
    expect(strongest('sha1-AAAA')?.algorithm).toBe('sha1');
    expect(strongest('md5-AAAA')).toBeUndefined();
    const bytes = Buffer.from('x');
    expect(() => verify(bytes, { algorithm: 'sha512', value: 'AAAA' }, 'a@1.0.0', 'http://r/a.tgz')).toThrow(
      /a@1\.0\.0: the lockfile pins sha512-AAAA but http:\/\/r\/a\.tgz has sha512-/,
    );
  });
});

describe('tarballs', () => {
  const refusal = async (build: (b: ReturnType<typeof packageBuilder>) => void) => {
    const b = packageBuilder('t', '1.0.0');
    build(b);
    return readPackageFiles(b.tarball(), 't@1.0.0').then(
      () => 'accepted',
      (err: Error) => err.message,
    );
  };

  it('refuses traversal, absolute paths and links out of the package, even the links npm would skip', async () => {
    expect(await refusal((b) => b.rawEntry({ name: 'package/../../evil.js', body: 'x' }))).toMatch(
      /^Refused t@1\.0\.0: .*"\.\."/,
    );
    expect(await refusal((b) => b.rawEntry({ name: '/etc/evil', body: 'x' }))).toMatch(/absolute path/);
    expect(await refusal((b) => b.rawEntry({ name: 'package/l', type: 'symlink', linkname: '../../x' }))).toMatch(
      /outside the package/,
    );
    expect(await refusal((b) => b.rawEntry({ name: 'package/h', type: 'link', linkname: '/etc/passwd' }))).toMatch(
      /outside the package/,
    );
    expect(await refusal((b) => b.rawEntry({ name: 'package/dev', type: 'character-device' }))).toMatch(/character-device/);
  });

  it('keeps files only, renames .gitignore, keeps the execute bits and the last copy of a file', async () => {
    const b = packageBuilder('t', '1.0.0')
      .rawEntry({ name: 'package/bin/run', body: '#!/bin/sh\n', mode: 0o755 })
      .rawEntry({ name: 'package/.gitignore', body: 'x' })
      .rawEntry({ name: 'package/l', type: 'symlink', linkname: 'bin/run' })
      .rawEntry({ name: 'package/dup', body: 'first' })
      .rawEntry({ name: 'package/dup', body: 'second' });
    const files = await readPackageFiles(b.tarball(), 't');
    expect(files.map((f) => [f.path, f.mode.toString(8)])).toEqual([
      ['package.json', '666'],
      ['bin/run', '777'],
      ['.npmignore', '666'],
      ['dup', '666'],
    ]);
    expect(files.find((f) => f.path === 'dup')?.bytes.toString()).toBe('second');
  });
});

describe('min-release-age-exclude patterns', () => {
  it('matches like minimatch on the name', () => {
    expect(globMatches('@myorg/*', '@myorg/shared')).toBe(true);
    expect(globMatches('@myorg/*', '@other/shared')).toBe(false);
    expect(globMatches('lodash', 'lodash')).toBe(true);
    expect(globMatches('lodash', 'lodash.get')).toBe(false);
  });
});

describe('what a killed run left', () => {
  it('puts back a node_modules moved aside and removes staging folders, but only those of dead processes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-install-stale-'));
    try {
      const dead = spawnSync('true').pid;
      await mkdir(join(dir, `.gatehouse-previous-node_modules-${dead}-abc123`, 'a'), { recursive: true });
      await mkdir(join(dir, `.gatehouse-staging-node_modules-${dead}-abc123`));
      await mkdir(join(dir, `.gatehouse-staging-node_modules-${process.pid}-def456`));
      const staging = new Staging(dir);
      await staging.prepare(['node_modules']);
      const names = await readdir(dir);
      expect(names.filter((n) => n.includes(`-${dead}-`))).toEqual([]);
      expect(names).toContain('node_modules');
      expect(names).toContain(`.gatehouse-staging-node_modules-${process.pid}-def456`);
      expect(await readdir(join(dir, 'node_modules'))).toEqual(['a']);
      await staging.rollback();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
