// The stock npm's `npm stage publish|list|view|download|approve|reject` (npm ≥ 11.15, and npm 12)
// against Gatehouse on both engines: staging asks no code, the staged version is not installable,
// approval with --otp publishes it under the tag given at stage time, rejection withdraws it.
// The account's TOTP guards sign-in only, so only the approval asks a code.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { enrolTotp } from '../support/mfa.js';
import { createWorkspace, removeWorkspace, run, runOk, runnable, type ClientName, type Workspace } from './clients.js';
import { writeProject } from './fixtures/projects.js';
import { codeAt, stepAt, TOTP_PERIOD_SECONDS, type TotpSecret } from '../../src/domain/mfa/totp.js';

const STEP_MS = TOTP_PERIOD_SECONDS * 1000;

/** Codes for later and later steps, from the step after `from`, waiting for time when the window is used up. */
function realTimeCodes(secret: TotpSecret, from: number): () => Promise<string> {
  let last = from;
  return async () => {
    let step = Math.max(last + 1, stepAt(Date.now()) - 1);
    while (step > stepAt(Date.now()) + 1) {
      await new Promise((resolve) => setTimeout(resolve, (stepAt(Date.now()) + 1) * STEP_MS - Date.now() + 50));
      step = Math.max(last + 1, stepAt(Date.now()) - 1);
    }
    last = step;
    return codeAt(secret, step * STEP_MS);
  };
}

const STAGED = /\(staged with id ([0-9a-f-]{36})\)/;

for (const engine of ENGINES) {
  for (const client of runnable(['npm11', 'npm12'] as ClientName[])) {
    describe(`${client} stage commands (${engine})`, () => {
      let r: TestRegistry;
      let alice: TestUser;
      let ws: Workspace;
      let nextCode: () => Promise<string>;
      const name = `stage-${client}`;

      beforeAll(async () => {
        r = await startRegistry(engine, { listen: true });
        alice = await r.createUser('alice');
        const enrolled = await enrolTotp(r, alice, 'auth-only');
        // enrolTotp spent one code at most one step back; start after the window it may have used.
        nextCode = realTimeCodes(enrolled.secret, stepAt(Date.now()) + 1);
        ws = await createWorkspace({ registry: r.url, client, token: alice.token });
        await runOk(client, ['publish'], ws, { cwd: await writeProject(join(ws.dir, 'v1'), { name, version: '1.0.0' }) });
      });
      afterAll(async () => {
        if (ws) await removeWorkspace(ws);
        await r?.close();
      });

      it('stages with no code, lists, views and downloads the stage; it is not installable', async () => {
        const project = await writeProject(join(ws.dir, 'v2'), { name, version: '2.0.0' });
        const staged = await runOk(client, ['stage', 'publish', '--tag', 'next'], ws, { cwd: project });
        const id = STAGED.exec(staged.stdout)?.[1];
        expect(id, staged.stdout).toBeDefined();
        const list = await runOk(client, ['stage', 'list', name], ws);
        expect(list.stdout).toContain(id);
        expect(list.stdout).toMatch(/version: 2\.0\.0/);
        expect(list.stdout).toMatch(/tag: next/);
        const view = await runOk(client, ['stage', 'view', String(id), '--json'], ws);
        expect(JSON.parse(view.stdout)).toMatchObject({ id, packageName: name, version: '2.0.0', tag: 'next', actor: 'alice' });
        const download = await runOk(client, ['stage', 'download', String(id)], ws, { cwd: ws.dir });
        expect(download.stdout).toContain(`${name}-2.0.0-${id}.tgz`);
        expect(await readdir(ws.dir)).toContain(`${name}-2.0.0-${id}.tgz`);
        const view2 = await run(client, ['view', `${name}@2.0.0`, 'version'], ws);
        expect(view2.stdout.trim()).toBe('');

        const refused = await run(client, ['stage', 'approve', String(id)], ws);
        expect(refused.code).not.toBe(0);
        expect(refused.stdout + refused.stderr).toContain('EOTP');
        const approved = await runOk(client, ['stage', 'approve', String(id), '--otp', await nextCode()], ws);
        expect(approved.stdout).toContain(`Staged package ${id} approved and published successfully.`);
        const tags = await runOk(client, ['dist-tag', 'ls', name], ws);
        expect(tags.stdout).toMatch(/latest: 1\.0\.0/);
        expect(tags.stdout).toMatch(/next: 2\.0\.0/);
      });

      it('rejects a stage, which then is gone and never installable', async () => {
        const project = await writeProject(join(ws.dir, 'v3'), { name, version: '3.0.0' });
        const id = STAGED.exec((await runOk(client, ['stage', 'publish'], ws, { cwd: project })).stdout)?.[1];
        expect(id).toBeDefined();
        const rejected = await runOk(client, ['stage', 'reject', String(id)], ws);
        expect(rejected.stdout).toContain(`Staged package ${id} has been rejected.`);
        expect((await runOk(client, ['stage', 'list', name], ws)).stdout).toContain(
          `No staged versions of package name "${name}".`,
        );
        const republish = await run(client, ['publish'], ws, { cwd: project });
        expect(republish.code).not.toBe(0);
        expect((await fetch(`${r.url}/${name}/3.0.0`)).status).toBe(404);
      });
    });
  }
}
