// The stock npm 11 sets up TOTP through the profile API, on both engines: `npm profile enable-2fa
// auth-and-writes` runs only on a terminal, so it runs under `script` (util-linux), which gives it a
// pty; the test answers its password and OTP prompts as a person would, reading the secret npm
// prints. Then `npm publish` without a code fails with npm's EOTP, with --otp it succeeds, and
// `npm profile disable-2fa` asks for the password and a code and turns it off. With `auth-only`,
// `npm login --auth-type=legacy` (on a pty too) prompts for the code, and publish does not.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { bearer } from '../support/npm-protocol.js';
import { createWorkspace, removeWorkspace, run, runOk, skipWithout, type Workspace } from './clients.js';
import { writeProject } from './fixtures/projects.js';
import { onTerminal as terminalFor } from './terminal.js';
import { codeAt, stepAt, TOTP_PERIOD_SECONDS, type TotpSecret } from '../../src/domain/mfa/totp.js';

const client = 'npm11';
const STEP_MS = TOTP_PERIOD_SECONDS * 1000;
const onTerminal = (args: string[], ws: Workspace) => terminalFor(client, args, ws);

/**
 * Codes for the secret, each for a later step than the last, never outside the ±1-step window
 * when the registry checks it: the current step, else the next; past that, wait for time to pass.
 */
function realTimeCodes(secret: TotpSecret): () => Promise<string> {
  let last = -Infinity;
  return async () => {
    let step = Math.max(last + 1, stepAt(Date.now()));
    while (step > stepAt(Date.now()) + 1) {
      await new Promise((resolve) => setTimeout(resolve, (stepAt(Date.now()) + 1) * STEP_MS - Date.now() + 50));
      step = Math.max(last + 1, stepAt(Date.now()));
    }
    last = step;
    return codeAt(secret, step * STEP_MS);
  };
}

for (const engine of ENGINES) {
  describe.skipIf(skipWithout(client))(`${client} two-factor authentication (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let ws: Workspace;
    const tfa = async () =>
      (await (await fetch(`${r.url}/-/npm/v1/user`, { headers: bearer(alice.token) })).json()) as { tfa: unknown };

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
      ws = await createWorkspace({ registry: r.url, client, token: alice.token });
    });
    afterAll(async () => {
      if (ws) await removeWorkspace(ws);
      await r?.close();
    });

    it('enables auth-and-writes, asks for a code to publish, and disables with a code', async () => {
      const enable = onTerminal(['profile', 'enable-2fa', 'auth-and-writes'], ws);
      await enable.waitFor(/npm password:/);
      enable.type(alice.password);
      const [, secret] = await enable.waitFor(/Or enter code: ([A-Z2-7]+)/);
      const nextCode = realTimeCodes(secret as TotpSecret);
      await enable.waitFor(/OTP code from your authenticator:/);
      enable.type(await nextCode());
      const enabled = await enable.done;
      expect(enabled.code, enabled.stdout).toBe(0);
      expect(enabled.stdout).toContain('2FA successfully enabled');
      const recoveryCodes = enabled.stdout.match(/^\t[a-z2-9]{6}-[a-z2-9]{6}\s*$/gm) ?? [];
      expect(recoveryCodes).toHaveLength(10);
      expect(await tfa()).toMatchObject({ tfa: { pending: false, mode: 'auth-and-writes' } });
      expect((await runOk(client, ['profile', 'get'], ws)).stdout).toMatch(/two-factor auth: auth-and-writes/);

      const project = await writeProject(ws.dir, { name: 'two-factor-pkg', version: '1.0.0' });
      const refused = await run(client, ['publish'], ws, { cwd: project });
      expect(refused.code).not.toBe(0);
      expect(refused.stdout + refused.stderr).toContain('EOTP');
      expect((await fetch(`${r.url}/two-factor-pkg`)).status).toBe(404);

      const published = await run(client, ['publish', '--otp', await nextCode()], ws, { cwd: project });
      expect(published.code, published.stdout + published.stderr).toBe(0);
      expect(published.stdout).toContain('+ two-factor-pkg@1.0.0');
      expect((await fetch(`${r.url}/two-factor-pkg`)).status).toBe(200);

      const disable = onTerminal(['profile', 'disable-2fa'], ws);
      await disable.waitFor(/npm password:/);
      disable.type(alice.password);
      await disable.waitFor(/Enter OTP:/);
      disable.type(await nextCode());
      const disabled = await disable.done;
      expect(disabled.code, disabled.stdout).toBe(0);
      expect(disabled.stdout).toContain('Two factor authentication disabled.');
      expect(await tfa()).toMatchObject({ tfa: null });
    });

    it('enables auth-only: the legacy login prompts for a code, publishing does not', async () => {
      const bob = await r.createUser('bob');
      const bobWs = await createWorkspace({ registry: r.url, client, token: bob.token });
      try {
        const enable = onTerminal(['profile', 'enable-2fa', 'auth-only'], bobWs);
        await enable.waitFor(/npm password:/);
        enable.type(bob.password);
        const [, secret] = await enable.waitFor(/Or enter code: ([A-Z2-7]+)/);
        const nextCode = realTimeCodes(secret as TotpSecret);
        await enable.waitFor(/OTP code from your authenticator:/);
        enable.type(await nextCode());
        expect((await enable.done).code).toBe(0);

        const login = onTerminal(['login', '--auth-type=legacy'], bobWs);
        await login.waitFor(/Username:/);
        login.type('bob');
        await login.waitFor(/Password:/);
        login.type(bob.password);
        await login.waitFor(/Enter OTP:/);
        login.type(await nextCode());
        const loggedIn = await login.done;
        expect(loggedIn.code, loggedIn.stdout).toBe(0);
        expect(loggedIn.stdout).toContain(`Logged in on ${r.url}/.`);
        expect((await runOk(client, ['whoami'], bobWs)).stdout).toBe('bob\n');

        const project = await writeProject(join(bobWs.dir, 'auth-only-pkg'), { name: 'auth-only-pkg', version: '1.0.0' });
        expect((await run(client, ['publish'], bobWs, { cwd: project })).code).toBe(0);
      } finally {
        await removeWorkspace(bobWs);
      }
    });
  });
}
