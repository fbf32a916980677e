// The outbox worker's bookkeeping, on both engines: an upgraded registry mails nobody about its
// past, a transport that keeps failing is retried with backoff and then given up (and says so
// without an address), a hole in the event sequence is waited for, and the reset link verifies.
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES, freshDatabase, type TestDatabase } from '../../support/engines.js';
import { openDatabase, migrate } from '../../../src/storage/db/database.js';
import { createDbStore } from '../../../src/storage/db/store.js';
import { ManualClock } from '../../../src/domain/clock.js';
import { userActor } from '../../../src/domain/access/actor.js';
import { MailOutbox, settled, GAP_WAIT_MS } from '../../../src/domain/mail/outbox.js';
import { SmtpMailTransport } from '../../../src/adapters/mail/smtp.js';
import { createServer, type AddressInfo } from 'node:net';
import type { RegistryEvent } from '../../../src/domain/events/store.js';
import { LINK_KEY_NAME, requestOfSecret } from '../../../src/domain/mail/links.js';
import { openRegistry } from '../../../src/registry.js';
import { readOutbox } from './outbox-files.js';
import { Kysely } from 'kysely';
import type { DB } from '../../../src/storage/db/schema.js';
import { dialectFor } from '../../../src/storage/db/database.js';

const databases: TestDatabase[] = [];
afterEach(async () => {
  for (const db of databases.splice(0)) await db.dispose();
});

/** An SMTP URL on 127.0.0.1 where nothing listens: every connection is refused, as by a server that is down. */
async function deadSmtpUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `smtp://127.0.0.1:${port}`;
}

for (const engine of ENGINES) {
  describe(`mail outbox (${engine})`, () => {
    it('mails nobody about events that happened before the upgrade that added mail', async () => {
      const db = await freshDatabase(engine);
      databases.push(db);
      const kysely = new Kysely<DB>({ dialect: dialectFor(db.config) });
      await migrate(kysely, engine, '006-security-foundation');
      const old = createDbStore(kysely, engine);
      const user = (await old.users.insert({
        name: 'old',
        email: 'old@example.com',
        emailVerified: true,
        passwordHash: 'x',
        isAdmin: false,
        createdAt: '2025-01-01T00:00:00.000Z',
      }))!;
      // Written as that version wrote events: today's store fills columns later migrations added.
      await kysely
        .insertInto('events')
        .values({
          type: 'password.changed',
          actor_kind: 'user',
          actor_id: String(user.id),
          package_name: null,
          version: null,
          data: JSON.stringify({ via: 'change' }),
          created_at: '2025-01-01T00:00:00.000Z',
        } as never)
        .execute();
      await old.close();

      const registry = await openRegistry(db.config, { clock: new ManualClock('2026-01-01T00:00:00.000Z') });
      try {
        await registry.mail.deliver();
        expect(await readOutbox(db.config.dataDir)).toEqual([]);
        await registry.store.events.append({
          type: 'mfa.disabled',
          actor: userActor(user),
          data: { method: 'totp' },
          createdAt: '2026-01-01T00:00:00.000Z',
        });
        await registry.mail.deliver();
        expect((await readOutbox(db.config.dataDir)).map((m) => m.subject)).toEqual([
          '[Gatehouse] Two-factor authentication turned off',
        ]);
      } finally {
        await registry.close();
      }
    });

    it('retries a failing transport with growing waits, then gives up, warning without the address', async () => {
      const db = await freshDatabase(engine);
      databases.push(db);
      const opened = await openDatabase(db.config);
      const store = createDbStore(opened.db, opened.engine);
      const clock = new ManualClock('2026-01-01T00:00:00.000Z');
      const transport = new SmtpMailTransport(await deadSmtpUrl());
      const warnings: string[] = [];
      const outbox = new MailOutbox({
        store,
        transport,
        clock,
        from: 'Gatehouse <noreply@registry.example>',
        baseUrl: () => 'http://registry.example',
        owner: 'test',
        verificationHours: 24,
        ownerGone: () => false,
        warn: (message) => warnings.push(message),
      });
      try {
        const user = (await store.users.insert({
          name: 'lee',
          email: 'lee@example.com',
          emailVerified: true,
          passwordHash: 'x',
          isAdmin: false,
          createdAt: '2026-01-01T00:00:00.000Z',
        }))!;
        const seq = await store.events.append({
          type: 'password.changed',
          actor: userActor(user),
          data: { via: 'change' },
          createdAt: '2026-01-01T00:00:00.000Z',
        });
        const key = { eventSeq: seq, recipient: 'lee@example.com' };
        await outbox.deliver();
        expect(warnings).toHaveLength(1);
        await outbox.deliver();
        expect(warnings, 'not again before its retry time').toHaveLength(1);
        for (let hour = 0; hour < 48 && (await store.mail.state(key)) === 'pending'; hour++) {
          clock.advance(3_600_000);
          await outbox.deliver();
        }
        expect(await store.mail.state(key)).toBe('failed');
        expect(warnings).toHaveLength(8);
        expect(warnings.at(-1)).toMatch(/given up/);
        expect(warnings.join('\n')).not.toContain('lee@example.com');
      } finally {
        await transport.close();
        await store.close();
      }
    });

    it('derives a reset link the reset page can verify, and no event holds it', async () => {
      const db = await freshDatabase(engine);
      databases.push(db);
      const registry = await openRegistry(db.config, { clock: new ManualClock('2026-01-01T00:00:00.000Z') });
      try {
        const user = await registry.accounts.createUser({
          name: 'mo',
          email: 'mo@example.com',
          password: 'mo-correct-horse',
          isAdmin: false,
        });
        const request = 'ab'.repeat(16);
        await registry.store.events.append({
          type: 'password.reset_requested',
          actor: userActor(user),
          data: { email: user.email, request },
          createdAt: '2026-01-01T00:00:00.000Z',
        });
        await registry.mail.deliver();
        const mail = (await readOutbox(db.config.dataDir)).find((m) => /reset/i.test(m.subject))!;
        const secret = /\/reset-password\/(\S+)/.exec(mail.text)![1]!;
        const key = await registry.store.mail.key(LINK_KEY_NAME, () => 'unused');
        expect(requestOfSecret(key, 'password-reset', secret)).toBe(request);
        // A reset link is no verification link.
        expect(requestOfSecret(key, 'email-verification', secret)).toBeUndefined();
        expect(JSON.stringify(await registry.store.events.since(0, 1000))).not.toContain(secret.split('.')[1]);
      } finally {
        await registry.close();
      }
    });
  });
}

describe('the event sequence the outbox takes', () => {
  const event = (seq: number, createdAt: string) => ({ seq, createdAt }) as RegistryEvent;
  const now = Date.parse('2026-01-01T00:10:00.000Z');

  it('stops at a young hole (its transaction may yet commit) and passes an old one (a rollback)', () => {
    const young = new Date(now - 1000).toISOString();
    const old = new Date(now - GAP_WAIT_MS - 1).toISOString();
    expect(settled(4, [event(5, young), event(7, young), event(8, young)], now).map((e) => e.seq)).toEqual([5]);
    expect(settled(4, [event(5, old), event(7, old), event(8, young)], now).map((e) => e.seq)).toEqual([5, 7, 8]);
    expect(settled(4, [event(6, young)], now)).toEqual([]);
  });
});
