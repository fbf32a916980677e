// npm 12 (on Node 24) against Gatehouse, on both engines: the user-facing commands that
// login.test.ts and package-commands.test.ts prove for npm 11 — ping, legacy and web login, whoami,
// publish, view, dist-tag, deprecate, owner, search, unpublish and logout. Fixtures that are not
// themselves under test go in through the API; every change under test is made by the real npm 12
// and checked both in what it prints and in what the registry then serves. Kept lean on purpose:
// the npm 11 files cover the edge cases, this one proves the newer client speaks the same protocol.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyLogin, savedToken, webLogin } from './login-helpers.js';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { SKIP_BROWSER } from '../web/browser.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { createWorkspace, removeWorkspace, run, runOk, type Workspace } from './clients.js';
import { writeProject } from './fixtures/projects.js';

const NPM = 'npm12';

interface Packument {
  'dist-tags': Record<string, string>;
  versions: Record<string, { deprecated?: string; _npmUser?: { name: string }; dist: { tarball: string } }>;
  maintainers: { name: string }[];
}

for (const engine of ENGINES) {
  describe(`npm 12 commands (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let aliceNpm: Workspace;
    let bobNpm: Workspace;
    const workspaces: Workspace[] = [];

    async function workspace(token?: string): Promise<Workspace> {
      const ws = await createWorkspace({ registry: r.url, client: NPM, ...(token !== undefined && { token }) });
      workspaces.push(ws);
      return ws;
    }

    async function publish(name: string, version: string, fields: Record<string, unknown> = {}) {
      const builder = packageBuilder(name, version)
        .file('index.js', `module.exports = ${JSON.stringify(`${name}@${version}`)};\n`)
        .packageJson({ license: 'MIT', description: `${name} for npm 12 command tests`, ...fields });
      const res = await r.publish(alice, builder);
      expect(res.statusCode, res.body).toBe(201);
    }

    async function packument(name: string): Promise<Packument> {
      const res = await fetch(`${r.url}/${name.replace('/', '%2f')}`);
      expect(res.status, `GET ${name}`).toBe(200);
      return (await res.json()) as Packument;
    }

    async function whoamiWith(token: string): Promise<{ status: number; body: unknown }> {
      const res = await fetch(`${r.url}/-/whoami`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.json() };
    }

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      aliceNpm = await workspace(alice.token);
      bobNpm = await workspace(bob.token);
      await publish('@n12/tools', '1.0.0');
      await publish('@n12/tools', '1.1.0');
      await publish('n12-old', '1.0.0');
      await publish('n12-old', '2.0.0');
      await publish('n12-shared', '1.0.0');
      await publish('n12-gone', '1.0.0');
      await publish('n12-gone', '1.1.0');
      await publish('needle', '1.0.0', { description: 'the exact name' });
      await publish('haystack-needle', '1.0.0', { description: 'hidden' });
      await publish('needle-tools', '1.0.0', { description: 'a kit' });
    });
    afterAll(async () => {
      await Promise.all(workspaces.map(removeWorkspace));
      await r?.close();
    });

    it('npm ping answers PONG, and npm whoami names the token’s user', async () => {
      const ping = await runOk(NPM, ['ping'], aliceNpm);
      expect(ping.stderr).toContain(`PING ${r.url}/`);
      expect(ping.stderr).toMatch(/PONG \d+ms/);
      expect((await runOk(NPM, ['whoami'], aliceNpm)).stdout).toBe('alice\n');
    });

    it('npm login --auth-type=legacy saves a working token, and npm logout revokes it server-side', async () => {
      const ws = await workspace();
      const login = await legacyLogin(NPM, ws, 'alice', alice.password);
      expect(login.code, login.stdout + login.stderr).toBe(0);
      expect(login.stdout).toContain(`Logged in on ${r.url}/.`);
      const token = await savedToken(ws, r.url);
      if (token === undefined) throw new Error(`npm login saved no token\n${login.stdout}${login.stderr}`);
      expect(token).toMatch(/^gth_/);
      expect(await whoamiWith(token)).toEqual({ status: 200, body: { username: 'alice' } });
      expect((await runOk(NPM, ['whoami'], ws)).stdout).toBe('alice\n');

      await runOk(NPM, ['logout'], ws);
      expect(await savedToken(ws, r.url)).toBeUndefined();
      expect((await whoamiWith(token)).status).toBe(401);
      const whoami = await run(NPM, ['whoami'], ws);
      expect(whoami.code).not.toBe(0);
      expect(whoami.stderr).toContain('ENEEDAUTH');
      expect((await whoamiWith(alice.token)).status).toBe(200); // alice's other sessions are untouched
    });

    it.skipIf(SKIP_BROWSER)('npm login (web) completes once the user signs in on the printed page in Chromium', async () => {
      const ws = await workspace();
      await webLogin(NPM, ws, r.url, { name: 'alice', password: alice.password });
      expect(await savedToken(ws, r.url)).toMatch(/^gth_/);
      expect((await runOk(NPM, ['whoami'], ws)).stdout).toBe('alice\n');
    });

    it('npm publish uploads a package as the user, and npm view shows it', async () => {
      const dir = await writeProject(join(aliceNpm.dir, 'n12-hello'), {
        name: 'n12-hello',
        version: '1.0.0',
        description: 'hello from npm 12',
        dependencies: { needle: '^1.0.0' },
      });
      const published = await runOk(NPM, ['publish'], aliceNpm, { cwd: dir });
      expect(published.stdout).toMatch(/^\+ n12-hello@1\.0\.0$/m);
      const doc = await packument('n12-hello');
      expect(doc['dist-tags']).toEqual({ latest: '1.0.0' });
      expect(doc.versions['1.0.0']?._npmUser?.name).toBe('alice');
      expect((await fetch(doc.versions['1.0.0']?.dist.tarball ?? '')).status).toBe(200);

      const summary = await runOk(NPM, ['view', 'n12-hello'], aliceNpm);
      expect(summary.stdout).toContain('n12-hello@1.0.0 | MIT | deps: 1 | versions: 1');
      expect(summary.stdout).toContain('hello from npm 12');
      expect(summary.stdout).toMatch(/^- alice <alice@example\.com>$/m);
      expect((await runOk(NPM, ['view', 'n12-hello', 'version'], aliceNpm)).stdout).toBe('1.0.0\n');
      // npm 12 keeps a single non-array --json result in its array (npm 11 unwrapped it to the bare object)
      const deps = await runOk(NPM, ['view', 'n12-hello@1.0.0', 'dependencies', '--json'], aliceNpm);
      expect(JSON.parse(deps.stdout)).toEqual([{ needle: '^1.0.0' }]);
      const versions = await runOk(NPM, ['view', '@n12/tools', 'versions', '--json'], aliceNpm);
      expect(JSON.parse(versions.stdout)).toEqual(['1.0.0', '1.1.0']);
    });

    it('npm publish of a package with a git shorthand dependency, which npm 12 rewrites only in the document', async () => {
      const dir = await writeProject(join(aliceNpm.dir, 'n12-gitdep'), {
        name: 'n12-gitdep',
        version: '1.0.0',
        dependencies: { 'from-git': 'someone/some-repo#v1.0.0' },
      });
      const published = await runOk(NPM, ['publish'], aliceNpm, { cwd: dir });
      expect(published.stdout).toMatch(/^\+ n12-gitdep@1\.0\.0$/m);
      const deps = await runOk(NPM, ['view', 'n12-gitdep@1.0.0', 'dependencies', '--json'], aliceNpm);
      expect(JSON.parse(deps.stdout)).toEqual([{ 'from-git': 'github:someone/some-repo#v1.0.0' }]);
    });

    it('npm dist-tag add, ls and rm change the tags the registry serves', async () => {
      const added = await runOk(NPM, ['dist-tag', 'add', '@n12/tools@1.0.0', 'stable'], aliceNpm);
      expect(added.stdout).toContain('+stable: @n12/tools@1.0.0');
      expect((await packument('@n12/tools'))['dist-tags']).toEqual({ latest: '1.1.0', stable: '1.0.0' });
      expect((await runOk(NPM, ['dist-tag', 'ls', '@n12/tools'], aliceNpm)).stdout).toBe('latest: 1.1.0\nstable: 1.0.0\n');

      const removed = await runOk(NPM, ['dist-tag', 'rm', '@n12/tools', 'stable'], aliceNpm);
      expect(removed.stdout).toContain('-stable: @n12/tools@1.0.0');
      expect((await packument('@n12/tools'))['dist-tags']).toEqual({ latest: '1.1.0' });
    });

    it('npm deprecate marks the versions in range, and "" un-deprecates', async () => {
      const message = 'use n12-old@2';
      await runOk(NPM, ['deprecate', 'n12-old@<2', message], aliceNpm);
      const doc = await packument('n12-old');
      expect(doc.versions['1.0.0']?.deprecated).toBe(message);
      expect(doc.versions['2.0.0']?.deprecated).toBeUndefined();
      expect((await runOk(NPM, ['view', 'n12-old@1.0.0', 'deprecated'], aliceNpm)).stdout).toBe(`${message}\n`);

      await runOk(NPM, ['deprecate', 'n12-old@1.0.0', ''], aliceNpm);
      expect((await packument('n12-old')).versions['1.0.0']?.deprecated).toBeUndefined();
      expect((await runOk(NPM, ['view', 'n12-old@1.0.0', 'deprecated'], aliceNpm)).stdout.trim()).toBe('');
    });

    it('npm owner add lets the new owner publish; npm owner rm takes that away', async () => {
      expect((await runOk(NPM, ['owner', 'ls', 'n12-shared'], aliceNpm)).stdout).toBe('alice <alice@example.com>\n');
      expect((await runOk(NPM, ['owner', 'add', 'bob', 'n12-shared'], aliceNpm)).stdout).toContain('+ bob (n12-shared)');
      expect((await runOk(NPM, ['owner', 'ls', 'n12-shared'], bobNpm)).stdout).toBe(
        'alice <alice@example.com>\nbob <bob@example.com>\n',
      );
      const bobs = (version: string) => writeProject(join(bobNpm.dir, `n12-shared-${version}`), { name: 'n12-shared', version });
      const during = await runOk(NPM, ['publish'], bobNpm, { cwd: await bobs('1.1.0') });
      expect(during.stdout).toMatch(/^\+ n12-shared@1\.1\.0$/m);

      expect((await runOk(NPM, ['owner', 'rm', 'bob', 'n12-shared'], aliceNpm)).stdout).toContain('- bob (n12-shared)');
      expect((await packument('n12-shared')).maintainers.map((m) => m.name)).toEqual(['alice']);
      const after = await run(NPM, ['publish'], bobNpm, { cwd: await bobs('1.2.0') });
      expect(after.code).not.toBe(0);
      expect(after.stderr).toContain('E403');
      expect(after.stderr).toContain('"n12-shared" is owned by someone else; you are not one of its maintainers.');
      expect(Object.keys((await packument('n12-shared')).versions)).toEqual(['1.0.0', '1.1.0']);
    });

    it('npm search lists the exact name first, then names starting with the word, then other matches', async () => {
      const json = await runOk(NPM, ['search', 'needle', '--json'], aliceNpm);
      // n12-hello mentions needle only as a dependency, which search does not look at
      expect((JSON.parse(json.stdout) as { name: string }[]).map((p) => p.name)).toEqual([
        'needle',
        'needle-tools',
        'haystack-needle',
      ]);
      const text = await runOk(NPM, ['search', 'needle', '--searchlimit', '1'], aliceNpm);
      expect(text.stdout).toMatch(
        /^needle\nthe exact name\nVersion 1\.0\.0 published \d{4}-\d\d-\d\d by alice\nMaintainers: alice\n/,
      );
      expect(text.stdout).not.toContain('needle-tools');
    });

    it('npm unpublish of one version removes it, and npm cannot publish that version again', async () => {
      const result = await runOk(NPM, ['unpublish', 'n12-gone@1.0.0'], aliceNpm);
      expect(result.stdout).toContain('- n12-gone@1.0.0');
      expect(Object.keys((await packument('n12-gone')).versions)).toEqual(['1.1.0']);
      expect(JSON.parse((await runOk(NPM, ['view', 'n12-gone', 'versions', '--json'], aliceNpm)).stdout)).toEqual(['1.1.0']);

      const again = await writeProject(join(aliceNpm.dir, 'n12-gone-1.0.0'), { name: 'n12-gone', version: '1.0.0' });
      // npm 12 will not move `latest` below 1.1.0 and stops before sending anything...
      const untagged = await run(NPM, ['publish'], aliceNpm, { cwd: again });
      expect(untagged.code).not.toBe(0);
      expect(untagged.stderr).toContain(
        'Cannot implicitly apply the "latest" tag because previously published version 1.1.0 is higher than the new version 1.0.0.',
      );
      // ...with a tag it sends the PUT, which the registry refuses with its reason
      const tagged = await run(NPM, ['publish', '--tag', 'again'], aliceNpm, { cwd: again });
      expect(tagged.code).not.toBe(0);
      expect(tagged.stderr).toContain('E409');
      expect(tagged.stderr).toContain(
        'n12-gone@1.0.0 was published and later unpublished; a version number can never be reused. Bump the version.',
      );
      expect(Object.keys((await packument('n12-gone')).versions)).toEqual(['1.1.0']);
    });
  });
}
