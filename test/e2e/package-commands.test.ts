// npm 11 and npm 12 (on Node 24) package commands against Gatehouse, on both engines: publish,
// view, dist-tag, deprecate, owner, search and unpublish (login, whoami, ping and logout are in
// login.test.ts). Fixtures go in through the API; every change under test is made by the real npm
// and checked both in what npm prints and in what the registry then serves. Each test has its own
// packages, so none depends on another having run.
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { published, type Packument } from '../support/npm-protocol.js';
import { packageBuilder, type PackageBuilder } from '../fixtures/package-builder.js';
import {
  createWorkspace,
  installCommand,
  removeWorkspace,
  run,
  runOk,
  skipWithout,
  type ClientName,
  type ClientResult,
  type Workspace,
} from './clients.js';
import { installedTree } from './lockfiles.js';
import { writeConsumer, writeProject } from './fixtures/projects.js';

const CLIENTS = ['npm11', 'npm12'] as const satisfies readonly ClientName[];

/** What a user reads on the terminal; npm prints errors and notices on stderr. */
const shown = (result: ClientResult) => result.stdout + result.stderr;

function pkg(name: string, version: string, fields: Record<string, unknown> = {}): PackageBuilder {
  return packageBuilder(name, version)
    .file('index.js', `module.exports = ${JSON.stringify(`${name}@${version}`)};\n`)
    .packageJson({ license: 'MIT', description: `${name} for npm command tests`, ...fields });
}

for (const client of CLIENTS) {
  for (const engine of ENGINES) {
    describe.skipIf(skipWithout(client))(`${client} package commands (${engine})`, () => {
      let r: TestRegistry;
      let alice: TestUser;
      let bob: TestUser;
      let aliceNpm: Workspace;
      let bobNpm: Workspace;
      const workspaces: Workspace[] = [];
      const npm = (args: string[], ws: Workspace, cwd?: string) => run(client, args, ws, cwd === undefined ? {} : { cwd });
      const npmOk = (args: string[], ws: Workspace, cwd?: string) => runOk(client, args, ws, cwd === undefined ? {} : { cwd });
      // npm 12 keeps a single non-array `view --json` result in its array; npm 11 unwraps it
      const viewJson = (value: unknown) => (client === 'npm12' ? [value] : value);

      async function workspace(token?: string): Promise<Workspace> {
        const ws = await createWorkspace({ registry: r.url, client, ...(token !== undefined && { token }) });
        workspaces.push(ws);
        return ws;
      }

      /** The document as an installing client fetches it: over HTTP, through the registry's caches. */
      async function served(name: string): Promise<Packument> {
        const res = await fetch(`${r.url}/${name.replace('/', '%2f')}`);
        expect(res.status, `GET ${name}`).toBe(200);
        return (await res.json()) as Packument;
      }

      beforeAll(async () => {
        // Search needs real-looking names, needle among them, which the protected list holds; typosquatting is tested elsewhere.
        r = await startRegistry(engine, { listen: true, config: { typosquatPolicy: 'off' } });
        alice = await r.createUser('alice');
        bob = await r.createUser('bob');
        aliceNpm = await workspace(alice.token);
        bobNpm = await workspace(bob.token);
        const fixtures = [
          pkg('cmd-old', '1.0.0'),
          pkg('cmd-old', '2.0.0'),
          pkg('@cmd/tools', '1.0.0', { dependencies: { 'cmd-old': '^1.0.0' } }),
          pkg('@cmd/tools', '1.1.0', { dependencies: { 'cmd-old': '^2.0.0' } }),
          pkg('@cmd/tagged', '1.0.0'),
          pkg('@cmd/tagged', '1.1.0'),
          pkg('cmd-shared', '1.0.0'),
          pkg('cmd-gone', '1.0.0'),
          pkg('cmd-gone', '1.1.0'),
          pkg('cmd-removed', '1.0.0'),
          pkg('cmd-removed', '1.1.0'),
          // The exact name goes first, so it is the oldest: recency cannot be what puts it on top.
          pkg('needle', '1.0.0', { description: 'the exact name' }),
          pkg('pin', '1.0.0', { description: 'sharper than a needle' }),
          pkg('thread', '1.0.0', { description: 'cotton', keywords: ['needle', 'sewing'] }),
          pkg('haystack-needle', '1.0.0', { description: 'hidden' }),
          pkg('needle-tools', '1.0.0', { description: 'a kit' }),
          // mentions needle only as a dependency, which search does not look at
          pkg('cmd-sews', '1.0.0', { description: 'uses a tool', dependencies: { needle: '^1.0.0' } }),
        ];
        for (const fixture of fixtures) await published(r, alice, fixture);
      });
      afterAll(async () => {
        await Promise.all(workspaces.map(removeWorkspace));
        await r?.close();
      });

      it('npm publish uploads a package as the user, and npm view shows it', async () => {
        const dir = await writeProject(join(aliceNpm.dir, 'cmd-hello'), {
          name: 'cmd-hello',
          version: '1.0.0',
          description: `hello from ${client}`,
          dependencies: { 'cmd-old': '^2.0.0' },
        });
        expect((await npmOk(['publish'], aliceNpm, dir)).stdout).toMatch(/^\+ cmd-hello@1\.0\.0$/m);
        const doc = await served('cmd-hello');
        expect(doc['dist-tags']).toEqual({ latest: '1.0.0' });
        expect(doc.versions['1.0.0']?._npmUser?.name).toBe('alice');
        expect((await fetch(doc.versions['1.0.0']?.dist.tarball ?? '')).status).toBe(200);

        const summary = await npmOk(['view', 'cmd-hello'], aliceNpm);
        expect(summary.stdout).toContain('cmd-hello@1.0.0 | MIT | deps: 1 | versions: 1');
        expect(summary.stdout).toContain(`hello from ${client}`);
        expect(summary.stdout).toMatch(/^- alice <alice@example\.com>$/m);
        expect((await npmOk(['view', 'cmd-hello', 'version'], aliceNpm)).stdout).toBe('1.0.0\n');
      });

      // npm 12 only (registered only for it, so nothing is reported skipped): npm 11 sends the shorthand as written.
      if (client === 'npm12')
        it('npm publish of a git shorthand dependency, which npm 12 rewrites in the document', async () => {
          const dir = await writeProject(join(aliceNpm.dir, 'cmd-gitdep'), {
            name: 'cmd-gitdep',
            version: '1.0.0',
            dependencies: { 'from-git': 'someone/some-repo#v1.0.0' },
          });
          expect((await npmOk(['publish'], aliceNpm, dir)).stdout).toMatch(/^\+ cmd-gitdep@1\.0\.0$/m);
          const deps = await npmOk(['view', 'cmd-gitdep@1.0.0', 'dependencies', '--json'], aliceNpm);
          expect(JSON.parse(deps.stdout)).toEqual([{ 'from-git': 'github:someone/some-repo#v1.0.0' }]);
        });

      it('npm view prints the summary, the versions and a version’s dependencies', async () => {
        const summary = await npmOk(['view', '@cmd/tools'], aliceNpm);
        expect(summary.stdout).toContain('@cmd/tools@1.1.0 | MIT | deps: 1 | versions: 2');
        expect(summary.stdout).toContain('@cmd/tools for npm command tests');
        expect(summary.stdout).toMatch(/^- alice <alice@example\.com>$/m);
        const versions = await npmOk(['view', '@cmd/tools', 'versions', '--json'], aliceNpm);
        expect(JSON.parse(versions.stdout)).toEqual(['1.0.0', '1.1.0']);
        const deps = await npmOk(['view', '@cmd/tools@1.0.0', 'dependencies', '--json'], aliceNpm);
        expect(JSON.parse(deps.stdout)).toEqual(viewJson({ 'cmd-old': '^1.0.0' }));
      });

      it('npm dist-tag add, ls and rm change the tags the registry serves', async () => {
        const added = await npmOk(['dist-tag', 'add', '@cmd/tagged@1.0.0', 'stable'], aliceNpm);
        expect(added.stdout).toContain('+stable: @cmd/tagged@1.0.0');
        expect((await served('@cmd/tagged'))['dist-tags']).toEqual({ latest: '1.1.0', stable: '1.0.0' });
        expect((await npmOk(['dist-tag', 'ls', '@cmd/tagged'], aliceNpm)).stdout).toBe('latest: 1.1.0\nstable: 1.0.0\n');
        expect((await npmOk(['view', '@cmd/tagged@stable', 'version'], aliceNpm)).stdout.trim()).toBe('1.0.0');

        const removed = await npmOk(['dist-tag', 'rm', '@cmd/tagged', 'stable'], aliceNpm);
        expect(removed.stdout).toContain('-stable: @cmd/tagged@1.0.0');
        expect((await npmOk(['dist-tag', 'ls', '@cmd/tagged'], aliceNpm)).stdout).toBe('latest: 1.1.0\n');
        expect((await served('@cmd/tagged'))['dist-tags']).toEqual({ latest: '1.1.0' });
      });

      it('a user who is not an owner cannot move a dist-tag', async () => {
        const result = await npm(['dist-tag', 'add', '@cmd/tools@1.0.0', 'bobs'], bobNpm);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain('E403');
        expect((await served('@cmd/tools'))['dist-tags']).toEqual({ latest: '1.1.0' });
      });

      it('npm deprecate marks the versions in range, npm warns at install, and "" un-deprecates', async () => {
        const message = 'use cmd-old@2';
        await npmOk(['deprecate', 'cmd-old@<2', message], aliceNpm);
        const doc = await served('cmd-old');
        expect(doc.versions['1.0.0']?.deprecated).toBe(message);
        expect(doc.versions['2.0.0']?.deprecated).toBeUndefined();
        expect((await npmOk(['view', 'cmd-old@1.0.0', 'deprecated'], aliceNpm)).stdout).toBe(`${message}\n`);

        const consumer = await workspace();
        await writeConsumer(consumer.dir, {});
        const install = await npmOk(['install', 'cmd-old@1.0.0'], consumer);
        expect(install.stderr).toContain(`npm warn deprecated cmd-old@1.0.0: ${message}`);

        await npmOk(['deprecate', 'cmd-old@1.0.0', ''], aliceNpm);
        expect((await served('cmd-old')).versions['1.0.0']?.deprecated).toBeUndefined();
        expect((await npmOk(['view', 'cmd-old@1.0.0', 'deprecated'], aliceNpm)).stdout.trim()).toBe('');
      });

      it('npm owner add lets the new owner publish; npm owner rm takes that away', async () => {
        expect((await npmOk(['owner', 'ls', 'cmd-shared'], aliceNpm)).stdout).toBe('alice <alice@example.com>\n');
        const bobs = (version: string) =>
          writeProject(join(bobNpm.dir, `cmd-shared-${version}`), { name: 'cmd-shared', version });
        const notOwner = '"cmd-shared" is owned by someone else; you are not one of its maintainers.';

        const before = await npm(['publish'], bobNpm, await bobs('1.1.0'));
        expect(before.code).not.toBe(0);
        expect(before.stderr).toContain('E403');
        expect(before.stderr).toContain(notOwner);

        expect((await npmOk(['owner', 'add', 'bob', 'cmd-shared'], aliceNpm)).stdout).toContain('+ bob (cmd-shared)');
        expect((await npmOk(['owner', 'ls', 'cmd-shared'], bobNpm)).stdout).toBe(
          'alice <alice@example.com>\nbob <bob@example.com>\n',
        );
        expect((await npmOk(['publish'], bobNpm, await bobs('1.1.0'))).stdout).toMatch(/^\+ cmd-shared@1\.1\.0$/m);

        expect((await npmOk(['owner', 'rm', 'bob', 'cmd-shared'], aliceNpm)).stdout).toContain('- bob (cmd-shared)');
        expect((await served('cmd-shared')).maintainers.map((m) => m.name)).toEqual(['alice']);
        const after = await npm(['publish'], bobNpm, await bobs('1.2.0'));
        expect(after.code).not.toBe(0);
        expect(after.stderr).toContain('E403');
        expect(after.stderr).toContain(notOwner);
        expect(Object.keys((await served('cmd-shared')).versions)).toEqual(['1.0.0', '1.1.0']);
      });

      it('npm search ranks the exact name first, then names starting with the words, then other matches', async () => {
        const all = await npmOk(['search', 'needle', '--json'], aliceNpm);
        const names = (JSON.parse(all.stdout) as { name: string }[]).map((p) => p.name);
        expect(names).toEqual(['needle', 'needle-tools', 'haystack-needle', 'thread', 'pin']);

        const limited = await npmOk(['search', 'needle', '--searchlimit', '2', '--json'], aliceNpm);
        expect((JSON.parse(limited.stdout) as { name: string }[]).map((p) => p.name)).toEqual(['needle', 'needle-tools']);

        const text = await npmOk(['search', 'needle', '--searchlimit', '1'], aliceNpm);
        expect(text.stdout).toMatch(
          /^needle\nthe exact name\nVersion 1\.0\.0 published \d{4}-\d\d-\d\d by alice\nMaintainers: alice\n/,
        );
        expect(text.stdout).not.toContain('needle-tools');
      });

      it('npm unpublish of one version removes it for good: installs fail and it cannot be published again', async () => {
        // A project that locked cmd-gone@1.0.0 before it went
        const locked = await workspace();
        await writeConsumer(locked.dir, {});
        await npmOk(['install', 'cmd-gone@1.0.0', '--save-exact'], locked);

        expect((await npmOk(['unpublish', 'cmd-gone@1.0.0'], aliceNpm)).stdout).toContain('- cmd-gone@1.0.0');
        expect(Object.keys((await served('cmd-gone')).versions)).toEqual(['1.1.0']);
        expect(JSON.parse((await npmOk(['view', 'cmd-gone', 'versions', '--json'], aliceNpm)).stdout)).toEqual(['1.1.0']);

        const fresh = await workspace();
        await writeConsumer(fresh.dir, {});
        const install = await npm(['install', 'cmd-gone@1.0.0'], fresh);
        expect(install.code).not.toBe(0);
        expect(install.stderr).toContain('ETARGET');
        expect(installedTree(fresh.dir).size).toBe(0);

        const ci = await workspace();
        for (const file of ['package.json', 'package-lock.json']) await copyFile(join(locked.dir, file), join(ci.dir, file));
        const frozen = await npm(installCommand(client, true), ci);
        expect(frozen.code).not.toBe(0);
        expect(frozen.stderr).toContain('E404');

        const again = await writeProject(join(aliceNpm.dir, 'cmd-gone-1.0.0'), { name: 'cmd-gone', version: '1.0.0' });
        // npm will not move `latest` below 1.1.0 and stops before sending anything...
        const untagged = await npm(['publish'], aliceNpm, again);
        expect(untagged.code).not.toBe(0);
        expect(untagged.stderr).toContain(
          'Cannot implicitly apply the "latest" tag because previously published version 1.1.0 is higher than the new version 1.0.0.',
        );
        // ...with a tag it sends the PUT, which the registry refuses with its reason
        const tagged = await npm(['publish', '--tag', 'again'], aliceNpm, again);
        expect(tagged.code).not.toBe(0);
        expect(tagged.stderr).toContain('E409');
        expect(tagged.stderr).toContain(
          'cmd-gone@1.0.0 was published and later unpublished; a version number can never be reused. Bump the version.',
        );
        expect(Object.keys((await served('cmd-gone')).versions)).toEqual(['1.1.0']);
      });

      it('npm unpublish --force removes the whole package; the name stays reserved for its owners', async () => {
        expect((await npmOk(['unpublish', 'cmd-removed', '--force'], aliceNpm)).stdout).toContain('- cmd-removed');

        const view = await npm(['view', 'cmd-removed'], aliceNpm);
        expect(view.code).not.toBe(0);
        expect(view.stderr).toContain('E404');
        expect(view.stderr).toMatch(/Package "cmd-removed" was unpublished on \d{4}-/);

        const consumer = await workspace();
        await writeConsumer(consumer.dir, {});
        const install = await npm(['install', 'cmd-removed'], consumer);
        expect(install.code).not.toBe(0);
        expect(install.stderr).toContain('E404');

        const squat = await writeProject(join(bobNpm.dir, 'cmd-removed-9.0.0'), { name: 'cmd-removed', version: '9.0.0' });
        const bobs = await npm(['publish'], bobNpm, squat);
        expect(bobs.code).not.toBe(0);
        expect(bobs.stderr).toContain('E403');
        expect(bobs.stderr).toMatch(/"cmd-removed" was unpublished and its name stays reserved/);

        const same = await writeProject(join(aliceNpm.dir, 'cmd-removed-1.1.0'), { name: 'cmd-removed', version: '1.1.0' });
        const republish = await npm(['publish'], aliceNpm, same);
        expect(republish.code).not.toBe(0);
        expect(republish.stderr).toContain('E409');

        const search = await npmOk(['search', 'cmd-removed', '--json'], aliceNpm);
        expect(JSON.parse(search.stdout)).toEqual([]);
        expect(shown(search)).not.toContain('cmd-removed@');
      });
    });
  }
}
