// The stock npm signs up with `npm adduser --auth-type=legacy` (name, password, email at its
// prompts), saves the token it is given, and cannot publish until the link mailed to the outbox
// folder is opened; then the same token publishes. npm 11 on both engines: npm 12 has no
// `adduser` command any more (its `npm login` only logs in), so its users sign up on /signup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { answerPrompts, savedToken } from './login-helpers.js';
import { writeProject } from './fixtures/projects.js';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { createWorkspace, removeWorkspace, run, runOk, skipWithout, type ClientName, type Workspace } from './clients.js';
import { readOutbox, verificationLink } from '../domain/mail/outbox-files.js';

const CLIENTS = ['npm11'] as const satisfies readonly ClientName[];
const PASSWORD = 'adduser-correct-horse';

for (const client of CLIENTS) {
  for (const engine of ENGINES) {
    describe.skipIf(skipWithout(client))(`${client} adduser, then publish after verifying the email (${engine})`, () => {
      let r: TestRegistry;
      let ws: Workspace;

      beforeAll(async () => {
        r = await startRegistry(engine, { listen: true });
        ws = await createWorkspace({ registry: r.url, client });
      });
      afterAll(async () => {
        if (ws) await removeWorkspace(ws);
        await r?.close();
      });

      it('npm adduser creates the account; npm publish is refused until the mailed link is opened', async () => {
        const adduser = await answerPrompts(client, ['adduser', '--auth-type=legacy'], ws, [
          [/Username: $/, 'newcomer\n'],
          [/Password: $/, `${PASSWORD}\n`],
          [/Email.*: $/, 'newcomer@example.com\n'],
        ]);
        expect(adduser.code, adduser.stdout + adduser.stderr).toBe(0);
        expect(adduser.stdout).toContain(`Logged in on ${r.url}/.`);
        expect(await savedToken(ws, r.url)).toMatch(/^gth_/);
        expect((await runOk(client, ['whoami'], ws)).stdout).toBe('newcomer\n');

        const dir = await writeProject(join(ws.dir, 'newcomer-lib'), { name: 'newcomer-lib', version: '1.0.0' });
        const refused = await run(client, ['publish'], ws, { cwd: dir });
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toContain('E403');
        expect(refused.stderr).toContain('Verify your email address before publishing.');

        await r.registry.mail.deliver();
        const mail = (await readOutbox(r.registry.config.dataDir)).find(
          (m) => m.to === 'newcomer@example.com' && /verify/i.test(m.subject),
        );
        expect(mail).toBeDefined();
        const page = await fetch(verificationLink(mail!), { headers: { accept: 'text/html' } });
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('data-code="EmailVerified"');

        const published = await runOk(client, ['publish'], ws, { cwd: dir });
        expect(published.stdout).toMatch(/^\+ newcomer-lib@1\.0\.0$/m);
      });
    });
  }
}
