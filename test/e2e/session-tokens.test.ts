// The stock npm 11 and npm 12 show the difference between session and automation tokens: after
// `npm login`, `npm token list` names the login's token as a session token with its expiry and
// the automation token apart, and `npm token revoke` revokes the one it names, on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyLogin } from './login-helpers.js';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { createWorkspace, removeWorkspace, runOk, skipWithout, type ClientName, type Workspace } from './clients.js';

const CLIENTS = ['npm11', 'npm12'] as const satisfies readonly ClientName[];

for (const client of CLIENTS) {
  for (const engine of ENGINES) {
    describe.skipIf(skipWithout(client))(`${client} token list after npm login (${engine})`, () => {
      let r: TestRegistry;
      let alice: TestUser;
      let ws: Workspace | undefined;

      beforeAll(async () => {
        r = await startRegistry(engine, { listen: true });
        alice = await r.createUser('alice');
      });
      afterAll(async () => {
        if (ws) await removeWorkspace(ws);
        await r?.close();
      });

      it('lists the login token as a session token that expires, and the automation token apart', async () => {
        ws = await createWorkspace({ registry: r.url, client });
        const login = await legacyLogin(client, ws, 'alice', alice.password);
        expect(login.code, login.stdout + login.stderr).toBe(0);
        const listed = (await runOk(client, ['token', 'list'], ws)).stdout;
        expect(listed).toMatch(/name session token \(npm login\), expires \d{4}-\d\d-\d\dT/);
        expect(listed).toContain('name automation token');
        const json = JSON.parse((await runOk(client, ['token', 'list', '--json'], ws)).stdout) as {
          kind: string;
          expires: string | null;
        }[];
        const session = json.find((t) => t.kind === 'session');
        expect(Date.parse(session?.expires ?? '') - Date.now()).toBeGreaterThan(11 * 60 * 60 * 1000);
        expect(json.find((t) => t.kind === 'automation')?.expires).toBeNull();
      });

      it('npm token revoke <id> revokes the automation token it names; the login token keeps working', async () => {
        const json = JSON.parse((await runOk(client, ['token', 'list', '--json'], ws!)).stdout) as { kind: string; id: string }[];
        const automation = json.find((t) => t.kind === 'automation');
        await runOk(client, ['token', 'revoke', automation!.id], ws!);
        const whoami = await fetch(`${r.url}/-/whoami`, { headers: { authorization: `Bearer ${alice.token}` } });
        expect(whoami.status).toBe(401);
        expect((await runOk(client, ['whoami'], ws!)).stdout).toBe('alice\n');
      });
    });
  }
}
