// The stock npm 11 and npm 12 make granular tokens with `npm token create` (plain, read-only
// through npm 11.19's granular permission flag, limited to packages, and limited to CIDR ranges),
// and the tokens then work, or are refused as the user sees it, for `npm install` and `npm publish`.
// The clients talk to 127.0.0.1, so a token limited to 10.0.0.0/8 is refused and one limited to
// 127.0.0.0/8 works. Both engines.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { published } from '../support/npm-protocol.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { createWorkspace, removeWorkspace, run, runOk, skipWithout, type ClientName, type Workspace } from './clients.js';
import { writeConsumer, writeProject } from './fixtures/projects.js';

const CLIENTS = ['npm11', 'npm12'] as const satisfies readonly ClientName[];
const TOKEN = /^Created token (gth_[0-9A-Za-z]{36})$/m;

for (const client of CLIENTS) {
  for (const engine of ENGINES) {
    describe.skipIf(skipWithout(client))(`${client} token create (${engine})`, () => {
      let r: TestRegistry;
      let alice: TestUser;
      let ws: Workspace;
      const workspaces: Workspace[] = [];
      let version = 0;

      async function workspace(token: string): Promise<Workspace> {
        const made = await createWorkspace({ registry: r.url, client, token });
        workspaces.push(made);
        return made;
      }
      /** `npm token create` with these flags and alice's password; the new token as npm printed it. */
      async function tokenCreate(flags: string[]): Promise<{ token: string; stdout: string }> {
        const { stdout } = await runOk(client, ['token', 'create', `--password=${alice.password}`, ...flags], ws);
        const token = TOKEN.exec(stdout)?.[1];
        expect(token, stdout).toBeDefined();
        return { token: token!, stdout };
      }
      const install = async (with_: Workspace) =>
        run(client, ['install', 'gt-a'], with_, { cwd: await writeConsumer(join(with_.dir, `c${++version}`), {}) });
      const publish = async (with_: Workspace, name: string) =>
        run(client, ['publish'], with_, {
          cwd: await writeProject(join(with_.dir, `p${++version}`), { name, version: `1.0.${version}` }),
        });

      beforeAll(async () => {
        r = await startRegistry(engine, { listen: true });
        alice = await r.createUser('alice');
        await published(r, alice, packageBuilder('gt-a', '1.0.0'));
        await published(r, alice, packageBuilder('gt-b', '1.0.0'));
        ws = await workspace(alice.token);
      });
      afterAll(async () => {
        await Promise.all(workspaces.map(removeWorkspace));
        await r?.close();
      });

      it('creates a plain token that installs and publishes, with the default expiry, named in npm token list', async () => {
        const { token, stdout } = await tokenCreate(['--name=deploy']);
        expect(stdout).toMatch(/^expires: \d{4}-\d\d-\d\dT/m);
        const theirs = await workspace(token);
        expect((await install(theirs)).code).toBe(0);
        const res = await publish(theirs, 'gt-a');
        expect(res.code, res.stderr).toBe(0);
        expect((await runOk(client, ['token', 'list'], ws)).stdout).toContain('name deploy');
      });

      it('--packages-and-scopes-permission=read-only makes a token that installs but cannot publish', async () => {
        const { token } = await tokenCreate(['--packages-and-scopes-permission=read-only', '--packages=gt-a']);
        const theirs = await workspace(token);
        expect((await install(theirs)).code).toBe(0);
        const res = await publish(theirs, 'gt-a');
        expect(res.code).not.toBe(0);
        expect(res.stderr).toMatch(/E403[\s\S]*read-only/);
      });

      it('--packages limits publishing to the packages named', async () => {
        const { token } = await tokenCreate(['--packages=gt-a', '--expires=7']);
        const theirs = await workspace(token);
        expect((await publish(theirs, 'gt-a')).code).toBe(0);
        const refused = await publish(theirs, 'gt-b');
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toMatch(/E403[\s\S]*limited to gt-a/);
      });

      it('--cidr limits where a token works: refused from outside, working from inside', async () => {
        const outside = await tokenCreate(['--cidr=10.0.0.0/8']);
        expect(outside.stdout).toContain('with IP whitelist: 10.0.0.0/8');
        const far = await workspace(outside.token);
        const refused = await install(far);
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toMatch(/E403[\s\S]*cannot be used from your address/);
        expect((await publish(far, 'gt-a')).code).not.toBe(0);

        const inside = await tokenCreate(['--cidr=127.0.0.0/8']);
        const near = await workspace(inside.token);
        expect((await install(near)).code).toBe(0);
        expect((await publish(near, 'gt-a')).code).toBe(0);
      });
    });
  }
}
