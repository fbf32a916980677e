// `gatehouse user recover` (the compiled CLI): refuses to run without a named identity check and
// changes nothing; with checks it sets the new address, revokes the tokens, removes two-factor
// only with --reset-mfa, and the recovered account's new address receives the mails (outbox
// folder). Build dist/ first.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ENGINES, freshDatabase } from '../support/engines.js';
import { assertBuilt, CLI } from '../reliability/server-process.js';
import { readOutbox } from '../domain/mail/outbox-files.js';
import { openRegistry } from '../../src/registry.js';
import { isEvent } from '../../src/domain/events/store.js';
import { contextOf } from '../support/context.js';
import { codeAt, type TotpSecret } from '../../src/domain/mfa/totp.js';
import type { Config } from '../../src/config.js';

function recoverByCli(config: Config, args: string[]): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GATEHOUSE_')) env[key] = value;
  if (config.databaseUrl) env.GATEHOUSE_DATABASE_URL = config.databaseUrl;
  const child = spawn(process.execPath, [CLI, 'user', 'recover', ...args, '--data-dir', config.dataDir], { env });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

for (const engine of ENGINES) {
  describe(`gatehouse user recover (${engine})`, () => {
    it('needs a named check; then sets the address, revokes tokens, and removes two-factor only with --reset-mfa', async () => {
      assertBuilt();
      const db = await freshDatabase(engine, { dnsServers: '127.0.0.1:9' });
      try {
        let setup = await openRegistry(db.config);
        const user = await setup.accounts.createUser({
          name: 'lost',
          email: 'lost@example.com',
          password: 'lost-correct-horse',
          isAdmin: false,
        });
        const context = contextOf({ kind: 'anonymous' });
        const started = await setup.mfa.mfa.enable(user, context, 'lost-correct-horse', 'auth-and-writes');
        const secret = new URL((started as { otpauthUrl: string }).otpauthUrl).searchParams.get('secret') as TotpSecret;
        await setup.mfa.mfa.confirm(user, context, codeAt(secret, Date.now()));
        const token = await setup.store.transaction(
          async (tx) => (await setup.tokens.create(tx, user, { reason: 'test' })).secret,
        );
        const before = await setup.store.events.latestSeq();
        await setup.close();

        for (const args of [
          ['lost', '--email', 'lost@new.example'],
          ['lost', '--email', 'lost@new.example', '--checks', ' , '],
        ]) {
          const refused = await recoverByCli(db.config, args);
          expect(refused.code, refused.out).toBe(1);
          expect(refused.out).toMatch(/check/i);
        }
        setup = await openRegistry(db.config);
        expect(await setup.store.events.latestSeq()).toBe(before);
        expect((await setup.store.users.byName('lost'))?.email).toBe('lost@example.com');
        await setup.close();

        const done = await recoverByCli(db.config, [
          'lost',
          '--email',
          'lost@new.example',
          '--checks',
          'id-document,signed-commit',
        ]);
        expect(done.code, done.out).toBe(0);
        expect(done.out).toContain('Revoked 1 token');
        expect(done.out).toContain('Two-factor authentication left as it was');
        const reset = await recoverByCli(db.config, [
          'lost',
          '--email',
          'lost@new.example',
          '--checks',
          'id-document',
          '--reset-mfa',
        ]);
        expect(reset.code, reset.out).toBe(0);
        expect(reset.out).toContain('Removed two-factor authentication');

        const after = await openRegistry(db.config);
        try {
          const now = await after.store.users.byName('lost');
          expect(now).toMatchObject({ email: 'lost@new.example', emailVerified: false });
          expect(await after.tokens.authenticate(token)).toBeUndefined();
          expect(await after.secondFactor.required(now!, 'auth')).toBe(false);
          const events = await after.store.events.since(before, 1000);
          expect(events.filter(isEvent('account.recovered')).map((e) => e.data.checks)).toEqual([
            ['id-document', 'signed-commit'],
            ['id-document'],
          ]);
          expect(events.filter(isEvent('mfa.disabled'))).toHaveLength(1);
          const mails = (await readOutbox(db.config.dataDir)).filter((m) => m.to === 'lost@new.example');
          expect(mails.filter((m) => /recovered/i.test(m.subject))).toHaveLength(2);
        } finally {
          await after.close();
        }
      } finally {
        await db.dispose();
      }
    });
  });
}
