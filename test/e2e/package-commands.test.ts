// npm 11's package management commands against Gatehouse, on both engines: dist-tag, deprecate,
// owner, view, search and unpublish. Fixtures are published through the API (fast); every change
// under test is made by the real npm, and checked both in what npm prints and in the registry.
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder, type PackageBuilder } from '../fixtures/package-builder.js';
import { createWorkspace, installCommand, removeWorkspace, run, runOk, type ClientResult, type Workspace } from './clients.js';
import { installedTree } from './lockfiles.js';
import { writeConsumer, writeProject } from './fixtures/projects.js';

interface Packument {
  'dist-tags': Record<string, string>;
  versions: Record<string, { deprecated?: string }>;
  maintainers: { name: string }[];
}

/** What a user reads on the terminal; npm prints errors and notices on stderr. */
const shown = (result: ClientResult) => result.stdout + result.stderr;

function pkg(name: string, version: string, fields: Record<string, unknown> = {}): PackageBuilder {
  return packageBuilder(name, version)
    .file('index.js', `module.exports = ${JSON.stringify(`${name}@${version}`)};\n`)
    .packageJson({ license: 'MIT', description: `${name} for npm command tests`, ...fields });
}

for (const engine of ENGINES) {
  describe(`npm package commands (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let aliceNpm: Workspace;
    let bobNpm: Workspace;
    const workspaces: Workspace[] = [];

    async function workspace(token?: string): Promise<Workspace> {
      const ws = await createWorkspace({ registry: r.url, client: 'npm11', ...(token !== undefined && { token }) });
      workspaces.push(ws);
      return ws;
    }

    async function publish(builder: PackageBuilder) {
      const res = await r.publish(alice, builder);
      expect(res.statusCode, res.body).toBe(201);
    }

    async function packument(name: string): Promise<Packument> {
      const res = await fetch(`${r.url}/${name.replace('/', '%2f')}`);
      expect(res.status, `GET ${name}`).toBe(200);
      return (await res.json()) as Packument;
    }

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      aliceNpm = await workspace(alice.token);
      bobNpm = await workspace(bob.token);
      await publish(pkg('cmd-old', '1.0.0'));
      await publish(pkg('cmd-old', '2.0.0'));
      await publish(pkg('@cmd/tools', '1.0.0', { dependencies: { 'cmd-old': '^1.0.0' } }));
      await publish(pkg('@cmd/tools', '1.1.0', { dependencies: { 'cmd-old': '^2.0.0' } }));
      await publish(pkg('cmd-shared', '1.0.0'));
      await publish(pkg('cmd-gone', '1.0.0'));
      await publish(pkg('cmd-gone', '1.1.0'));
      // The exact name goes first, so it is the oldest: recency cannot be what puts it on top.
      await publish(pkg('needle', '1.0.0', { description: 'the exact name' }));
      await publish(pkg('pin', '1.0.0', { description: 'sharper than a needle' }));
      await publish(pkg('thread', '1.0.0', { description: 'cotton', keywords: ['needle', 'sewing'] }));
      await publish(pkg('haystack-needle', '1.0.0', { description: 'hidden' }));
      await publish(pkg('needle-tools', '1.0.0', { description: 'a kit' }));
    });
    afterAll(async () => {
      await Promise.all(workspaces.map(removeWorkspace));
      await r?.close();
    });

    it('npm dist-tag add, ls and rm change the tags the registry serves', async () => {
      const added = await runOk('npm11', ['dist-tag', 'add', '@cmd/tools@1.0.0', 'stable'], aliceNpm);
      expect(added.stdout).toContain('+stable: @cmd/tools@1.0.0');
      expect((await packument('@cmd/tools'))['dist-tags']).toEqual({ latest: '1.1.0', stable: '1.0.0' });
      expect((await runOk('npm11', ['dist-tag', 'ls', '@cmd/tools'], aliceNpm)).stdout).toBe('latest: 1.1.0\nstable: 1.0.0\n');
      expect((await runOk('npm11', ['view', '@cmd/tools@stable', 'version'], aliceNpm)).stdout.trim()).toBe('1.0.0');

      const removed = await runOk('npm11', ['dist-tag', 'rm', '@cmd/tools', 'stable'], aliceNpm);
      expect(removed.stdout).toContain('-stable: @cmd/tools@1.0.0');
      expect((await runOk('npm11', ['dist-tag', 'ls', '@cmd/tools'], aliceNpm)).stdout).toBe('latest: 1.1.0\n');
      expect((await packument('@cmd/tools'))['dist-tags']).toEqual({ latest: '1.1.0' });
    });

    it('a user who is not an owner cannot move a dist-tag', async () => {
      const result = await run('npm11', ['dist-tag', 'add', '@cmd/tools@1.0.0', 'bobs'], bobNpm);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('E403');
      expect((await packument('@cmd/tools'))['dist-tags']).toEqual({ latest: '1.1.0' });
    });

    it('npm view prints the summary, the versions and a version’s dependencies', async () => {
      const summary = await runOk('npm11', ['view', '@cmd/tools'], aliceNpm);
      expect(summary.stdout).toContain('@cmd/tools@1.1.0 | MIT | deps: 1 | versions: 2');
      expect(summary.stdout).toContain('@cmd/tools for npm command tests');
      expect(summary.stdout).toMatch(/^- alice <alice@example\.com>$/m);
      const versions = await runOk('npm11', ['view', '@cmd/tools', 'versions', '--json'], aliceNpm);
      expect(JSON.parse(versions.stdout)).toEqual(['1.0.0', '1.1.0']);
      const deps = await runOk('npm11', ['view', '@cmd/tools@1.0.0', 'dependencies', '--json'], aliceNpm);
      expect(JSON.parse(deps.stdout)).toEqual({ 'cmd-old': '^1.0.0' });
    });

    it('npm deprecate marks the versions in range, npm warns at install, and "" un-deprecates', async () => {
      const message = 'use cmd-old@2';
      await runOk('npm11', ['deprecate', 'cmd-old@<2', message], aliceNpm);
      const doc = await packument('cmd-old');
      expect(doc.versions['1.0.0']?.deprecated).toBe(message);
      expect(doc.versions['2.0.0']?.deprecated).toBeUndefined();
      expect((await runOk('npm11', ['view', 'cmd-old@1.0.0', 'deprecated'], aliceNpm)).stdout.trim()).toBe(message);

      const consumer = await workspace();
      await writeConsumer(consumer.dir, {});
      const install = await runOk('npm11', ['install', 'cmd-old@1.0.0'], consumer);
      expect(install.stderr).toContain(`npm warn deprecated cmd-old@1.0.0: ${message}`);

      await runOk('npm11', ['deprecate', 'cmd-old@1.0.0', ''], aliceNpm);
      expect((await packument('cmd-old')).versions['1.0.0']?.deprecated).toBeUndefined();
      expect((await runOk('npm11', ['view', 'cmd-old@1.0.0', 'deprecated'], aliceNpm)).stdout.trim()).toBe('');
    });

    it('npm owner add lets the new owner publish; npm owner rm takes that away', async () => {
      expect((await runOk('npm11', ['owner', 'ls', 'cmd-shared'], aliceNpm)).stdout).toBe('alice <alice@example.com>\n');
      const bobsProject = (version: string) =>
        writeProject(join(bobNpm.dir, `cmd-shared-${version}`), { name: 'cmd-shared', version });

      const before = await run('npm11', ['publish'], bobNpm, { cwd: await bobsProject('1.1.0') });
      expect(before.code).not.toBe(0);
      expect(before.stderr).toContain('E403');

      expect((await runOk('npm11', ['owner', 'add', 'bob', 'cmd-shared'], aliceNpm)).stdout).toContain('+ bob (cmd-shared)');
      expect((await runOk('npm11', ['owner', 'ls', 'cmd-shared'], aliceNpm)).stdout).toBe(
        'alice <alice@example.com>\nbob <bob@example.com>\n',
      );
      const during = await runOk('npm11', ['publish'], bobNpm, { cwd: await bobsProject('1.1.0') });
      expect(during.stdout).toContain('+ cmd-shared@1.1.0');

      expect((await runOk('npm11', ['owner', 'rm', 'bob', 'cmd-shared'], aliceNpm)).stdout).toContain('- bob (cmd-shared)');
      expect((await packument('cmd-shared')).maintainers.map((m) => m.name)).toEqual(['alice']);
      const after = await run('npm11', ['publish'], bobNpm, { cwd: await bobsProject('1.2.0') });
      expect(after.code).not.toBe(0);
      expect(after.stderr).toContain('E403');
      expect(Object.keys((await packument('cmd-shared')).versions)).toEqual(['1.0.0', '1.1.0']);
    });

    it('npm search ranks the exact name first, then names starting with the words, then other matches', async () => {
      const all = await runOk('npm11', ['search', 'needle', '--json'], aliceNpm);
      const names = (JSON.parse(all.stdout) as { name: string }[]).map((p) => p.name);
      expect(names).toEqual(['needle', 'needle-tools', 'haystack-needle', 'thread', 'pin']);

      const limited = await runOk('npm11', ['search', 'needle', '--searchlimit', '2', '--json'], aliceNpm);
      expect((JSON.parse(limited.stdout) as { name: string }[]).map((p) => p.name)).toEqual(['needle', 'needle-tools']);

      const text = await runOk('npm11', ['search', 'needle', '--searchlimit', '1'], aliceNpm);
      expect(text.stdout).toMatch(
        /^needle\nthe exact name\nVersion 1\.0\.0 published \d{4}-\d\d-\d\d by alice\nMaintainers: alice\n/,
      );
      expect(text.stdout).not.toContain('needle-tools');
    });

    it('npm unpublish of one version removes it for good: installs fail and it cannot be published again', async () => {
      // A project that locked cmd-gone@1.0.0 before it went
      const locked = await workspace();
      await writeConsumer(locked.dir, {});
      await runOk('npm11', ['install', 'cmd-gone@1.0.0', '--save-exact'], locked);

      const result = await runOk('npm11', ['unpublish', 'cmd-gone@1.0.0'], aliceNpm);
      expect(result.stdout).toContain('- cmd-gone@1.0.0');
      expect(JSON.parse((await runOk('npm11', ['view', 'cmd-gone', 'versions', '--json'], aliceNpm)).stdout)).toEqual(['1.1.0']);

      const fresh = await workspace();
      await writeConsumer(fresh.dir, {});
      const install = await run('npm11', ['install', 'cmd-gone@1.0.0'], fresh);
      expect(install.code).not.toBe(0);
      expect(install.stderr).toContain('ETARGET');
      expect(installedTree(fresh.dir).size).toBe(0);

      const ci = await workspace();
      for (const file of ['package.json', 'package-lock.json']) await copyFile(join(locked.dir, file), join(ci.dir, file));
      const frozen = await run('npm11', installCommand('npm11', true), ci);
      expect(frozen.code).not.toBe(0);
      expect(frozen.stderr).toContain('E404');

      // npm refuses a lower version without a tag on its own; with one it sends the PUT we refuse
      const again = await writeProject(join(aliceNpm.dir, 'cmd-gone-1.0.0'), { name: 'cmd-gone', version: '1.0.0' });
      const republish = await run('npm11', ['publish', '--tag', 'again'], aliceNpm, { cwd: again });
      expect(republish.code).not.toBe(0);
      expect(republish.stderr).toContain('E409');
      expect(republish.stderr).toMatch(/cmd-gone@1\.0\.0 was published and later unpublished/);
    });

    it('npm unpublish --force removes the whole package; the name stays reserved for its owners', async () => {
      expect((await runOk('npm11', ['unpublish', 'cmd-gone', '--force'], aliceNpm)).stdout).toContain('- cmd-gone');

      const view = await run('npm11', ['view', 'cmd-gone'], aliceNpm);
      expect(view.code).not.toBe(0);
      expect(view.stderr).toContain('E404');
      expect(view.stderr).toMatch(/Package "cmd-gone" was unpublished on \d{4}-/);

      const consumer = await workspace();
      await writeConsumer(consumer.dir, {});
      const install = await run('npm11', ['install', 'cmd-gone'], consumer);
      expect(install.code).not.toBe(0);
      expect(install.stderr).toContain('E404');

      const squat = await writeProject(join(bobNpm.dir, 'cmd-gone-9.0.0'), { name: 'cmd-gone', version: '9.0.0' });
      const bobs = await run('npm11', ['publish'], bobNpm, { cwd: squat });
      expect(bobs.code).not.toBe(0);
      expect(bobs.stderr).toContain('E403');
      expect(bobs.stderr).toMatch(/"cmd-gone" was unpublished and its name stays reserved/);

      const same = await writeProject(join(aliceNpm.dir, 'cmd-gone-1.1.0'), { name: 'cmd-gone', version: '1.1.0' });
      const republish = await run('npm11', ['publish'], aliceNpm, { cwd: same });
      expect(republish.code).not.toBe(0);
      expect(republish.stderr).toContain('E409');

      const search = await runOk('npm11', ['search', 'cmd-gone', '--json'], aliceNpm);
      expect(JSON.parse(search.stdout)).toEqual([]);
      expect(shown(search)).not.toContain('cmd-gone@');
    });
  });
}
