// Kysely implementation of the brute-force counters. reserve() is one upsert whose conflict
// branch only fires while the row's wait is over: PostgreSQL locks the conflicting row and
// re-checks that condition against the latest version, and SQLite runs one write at a time, so
// of many concurrent attempts exactly as many are counted as the schedule allows.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from './schema.js';
import type { GuessCounterStore } from '../../domain/guard/store.js';
import type { CounterRule } from '../../domain/guard/policy.js';

export function guessCounterStore(db: Kysely<DB>): GuessCounterStore {
  const live = (key: string, now: number) => db.selectFrom('guess_counters').where('key', '=', key).where('expires_at', '>', now);
  return {
    async reserve(key, now, rule) {
      // A forgotten counter starts again from nothing; a row that is not expired is untouched.
      await db.deleteFrom('guess_counters').where('key', '=', key).where('expires_at', '<=', now).execute();
      const counted = await db
        .insertInto('guess_counters')
        .values({ key, attempts: 1, open_at: now + rule.delays[0]!, expires_at: now + rule.windowMs })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({
              attempts: sql`guess_counters.attempts + 1`,
              open_at: sql`cast(${now} as bigint) + ${delayAfter(sql`guess_counters.attempts + 1`, rule)}`,
              expires_at: now + rule.windowMs,
            })
            .where(sql<boolean>`guess_counters.open_at <= cast(${now} as bigint)`),
        )
        .returning('attempts')
        .executeTakeFirst();
      if (counted) return { ok: true, attempts: Number(counted.attempts) };
      const row = await live(key, now).select(['attempts', 'open_at']).executeTakeFirst();
      // Gone between the two statements: it expired just now, so the next attempt may go.
      return { ok: false, attempts: Number(row?.attempts ?? 0), openAt: row ? Number(row.open_at) : now + 1000 };
    },
    async release(key, now, rule) {
      const sooner = sql`cast(${now} as bigint) + ${delayAfter(sql`attempts - 1`, rule)}`;
      await db
        .updateTable('guess_counters')
        .set({ attempts: sql`attempts - 1`, open_at: sql`case when ${sooner} < open_at then ${sooner} else open_at end` })
        .where('key', '=', key)
        .where('attempts', '>', 0)
        .where('expires_at', '>', now)
        .execute();
    },
    async clear(key) {
      await db.deleteFrom('guess_counters').where('key', '=', key).execute();
    },
    async claimLockNotice(key, now, lockAttempts) {
      const row = await db
        .updateTable('guess_counters')
        .set({ noticed: 1 })
        .where('key', '=', key)
        .where('noticed', '=', 0)
        .where('attempts', '>=', lockAttempts)
        .where('expires_at', '>', now)
        .returning('open_at')
        .executeTakeFirst();
      return row ? Number(row.open_at) : undefined;
    },
    async purgeExpired(now) {
      const result = await db.deleteFrom('guess_counters').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

/**
 * The wait after the n-th attempt, as SQL: `rule.delays` written out as a CASE. The entries are
 * whole numbers computed from the settings (domain/guard/policy.ts), never request data.
 */
function delayAfter(n: RawBuilder<unknown>, rule: CounterRule): RawBuilder<number> {
  const last = rule.delays.length;
  const branches = rule.delays
    .slice(0, -1)
    .map((ms, i) => ({ n: i + 1, ms }))
    .filter(({ ms }) => ms > 0)
    .map(({ n: at, ms }) => sql`when ${n} = ${sql.lit(at)} then ${sql.lit(Math.round(ms))}`);
  return sql<number>`case when ${n} >= ${sql.lit(last)} then ${sql.lit(Math.round(rule.delays[last - 1]!))} ${sql.join(branches, sql` `)} else 0 end`;
}
