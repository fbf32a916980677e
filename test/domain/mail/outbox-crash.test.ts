// A real `gatehouse serve` SIGKILLed while its outbox worker is writing mails, again and again,
// then left to finish: every mail owed is in the outbox folder exactly once, each file a whole
// mail. The kill points come from one seed, printed at the start; replay a failure with
// GATEHOUSE_CRASH_SEED=<seed>. Slow tier: it spawns server processes (build dist/ first).
import { afterEach, describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { readdirSync, existsSync } from 'node:fs';
import { sql } from 'kysely';
import { ENGINES, freshDatabase, type TestDatabase } from '../../support/engines.js';
import { until } from '../../support/wait.js';
import { openDatabase } from '../../../src/storage/db/database.js';
import { createDbStore } from '../../../src/storage/db/store.js';
import { userActor } from '../../../src/domain/access/actor.js';
import type { NewEvent } from '../../../src/domain/events/store.js';
import { outboxFileName } from '../../../src/adapters/mail/outbox-folder.js';
import { assertBuilt, startServer, type ServerProcess } from '../../reliability/server-process.js';
import { outboxFolder, readOutbox } from './outbox-files.js';
import { seeded } from '../../support/seeded.js';

const KILLS = Number(process.env.GATEHOUSE_OUTBOX_KILLS ?? 6);
const EVENTS = 240;
const SEED = Number(process.env.GATEHOUSE_CRASH_SEED ?? randomInt(2 ** 31));

const emlCount = (dataDir: string) =>
  existsSync(outboxFolder(dataDir)) ? readdirSync(outboxFolder(dataDir)).filter((n) => n.endsWith('.eml')).length : 0;

const running: ServerProcess[] = [];
const databases: TestDatabase[] = [];
afterEach(async () => {
  for (const server of running.splice(0))
    if (server.child.exitCode === null && server.child.signalCode === null) await server.kill('SIGKILL');
  for (const db of databases.splice(0)) await db.dispose();
});

/** Users and security events written straight to the database, as other instances' changes would be. */
async function seedEvents(db: TestDatabase, random: () => number): Promise<number> {
  const { db: kysely, engine } = await openDatabase(db.config);
  const store = createDbStore(kysely, engine);
  let mails = 0;
  try {
    const users = [];
    for (const name of ['ana', 'ben', 'cy']) {
      const createdAt = new Date().toISOString();
      users.push(
        (await store.users.insert({
          name,
          email: `${name}@example.com`,
          emailVerified: true,
          passwordHash: 'x',
          isAdmin: false,
          createdAt,
        }))!,
      );
    }
    for (let i = 0; i < EVENTS; i++) {
      const user = users[Math.floor(random() * users.length)]!;
      const createdAt = new Date().toISOString();
      const event: NewEvent =
        i % 20 === 0
          ? {
              type: 'email.changed',
              actor: userActor(user),
              data: { from: `${user.name}@example.com`, to: `${user.name}+${i}@example.com` },
              createdAt,
            }
          : { type: 'recovery_code.used', actor: userActor(user), data: { remaining: i }, createdAt };
      await store.events.append(event);
      mails += event.type === 'email.changed' ? 2 : 1;
    }
    return mails;
  } finally {
    await store.close();
  }
}

for (const engine of ENGINES) {
  describe(`outbox crash safety (${engine})`, () => {
    it('delivers every mail exactly once to the outbox folder across SIGKILLs mid-run', { timeout: 240_000 }, async () => {
      assertBuilt();
      const seed = SEED + (engine === 'postgres' ? 1 : 0);
      const random = seeded(seed);
      console.log(`outbox crash test (${engine}): seed ${seed}; replay with GATEHOUSE_CRASH_SEED=${SEED}`);
      const db = await freshDatabase(engine);
      databases.push(db);
      // The schema first (its cursor starts at the newest event), then the events it owes mail for.
      await (await openDatabase(db.config)).db.destroy();
      const owed = await seedEvents(db, random);
      const dataDir = db.config.dataDir;

      let interrupted = 0;
      for (let kill = 0; kill < KILLS; kill++) {
        const before = emlCount(dataDir);
        // Kill once a random share of what is left has been written: always mid-run.
        const target = before + 1 + Math.floor(random() * Math.max(1, (owed - before) / 3));
        const server = await startServer(db.config);
        running.push(server);
        await until(`${target} mails are written`, () => emlCount(dataDir) >= Math.min(target, owed), 60_000);
        await server.kill('SIGKILL');
        running.splice(running.indexOf(server), 1);
        const after = emlCount(dataDir);
        console.log(`  kill ${kill}: ${before} → ${after} of ${owed} mails when killed`);
        if (after < owed) interrupted++;
        // Whatever was killed, what is in the folder is whole and never doubled.
        const mails = await readOutbox(dataDir);
        expect(new Set(mails.map((m) => m.messageId)).size).toBe(mails.length);
        for (const mail of mails) {
          expect(mail.file).toBe(outboxFileName(mail.messageId));
          expect(mail.text).toContain('Gatehouse package registry at ');
        }
      }
      expect(interrupted, 'at least one kill landed before the outbox was done').toBeGreaterThan(0);

      const last = await startServer(db.config);
      running.push(last);
      await until(`all ${owed} mails are written`, () => emlCount(dataDir) >= owed, 60_000).catch((err: unknown) => {
        throw new Error(`${(err as Error).message} (${emlCount(dataDir)} written); the server printed:\n${last.output()}`);
      });
      await last.kill('SIGTERM');

      const mails = await readOutbox(dataDir);
      expect(mails).toHaveLength(owed);
      expect(new Set(mails.map((m) => m.messageId)).size).toBe(owed);
      const { db: kysely } = await openDatabase(db.config);
      try {
        const states = await sql<{
          state: string;
          n: number | string;
        }>`select state, count(*) as n from mail_outbox group by state`.execute(kysely);
        expect(states.rows.map((row) => [row.state, Number(row.n)])).toEqual([['sent', owed]]);
      } finally {
        await kysely.destroy();
      }
    });
  });
}
