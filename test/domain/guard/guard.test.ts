// The brute-force guard over each counter store: the database on both engines, and Redis. Time
// is a ManualClock moved by hand, so backoff and lock are asserted without waiting, and every
// refusal is checked as a client sees it: the catalog code and Retry-After.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Redis } from 'ioredis';
import { ENGINES, freshStore, type TestStore } from '../../support/engines.js';
import { ManualClock } from '../../../src/domain/clock.js';
import { isGatehouseError } from '../../../src/domain/errors.js';
import { isEvent } from '../../../src/domain/events/store.js';
import type { GuessAttempt, GuessGuard, GuessedSecret } from '../../../src/domain/access/guess-guard.js';
import { wireGuard, type GuessLimits, type GuessCounterStore } from '../../../src/domain/guard/index.js';
import { guessCounterStore } from '../../../src/storage/db/guess-counters.js';
import { RedisGuessCounters } from '../../../src/adapters/redis/guess-counters.js';
import { dropPrefix, keysUnder, redisAvailable, testPrefix, testRedis } from './redis-support.js';

const MINUTE = 60 * 1000;

const LIMITS: GuessLimits = {
  backoffAfter: 5,
  lockAfter: 10,
  addressBackoffAfter: 20,
  addressLockAfter: 50,
  firstBackoffMs: 1000,
  maxBackoffMs: 60_000,
  lockMs: 15 * MINUTE,
};

type BackendName = 'sqlite' | 'postgres' | 'redis';

interface Backend {
  store: TestStore;
  counters: GuessCounterStore;
  /** Counter rows or keys still stored, expired or not. */
  stored(): Promise<number>;
  /** Redis only: the time to live of every counter key, in ms. */
  ttls?(): Promise<number[]>;
  dispose(): Promise<void>;
}

const REDIS = await redisAvailable();

async function openBackend(name: BackendName): Promise<Backend> {
  if (name !== 'redis') {
    const store = await freshStore(name);
    const count = async () =>
      Number((await sql<{ n: number }>`select count(*) as n from guess_counters`.execute(store.db)).rows[0]!.n);
    return { store, counters: guessCounterStore(store.db), stored: count, dispose: () => store.dispose() };
  }
  // Users and events in the database as always; only the counters in Redis.
  const store = await freshStore(ENGINES[0]!);
  const redis: Redis = testRedis();
  const prefix = testPrefix();
  return {
    store,
    counters: new RedisGuessCounters(redis, { prefix }),
    stored: async () => (await keysUnder(redis, prefix)).length,
    ttls: async () => Promise.all((await keysUnder(redis, prefix)).map((key) => redis.pttl(key))),
    async dispose() {
      await dropPrefix(redis, prefix);
      redis.disconnect();
      await store.dispose();
    },
  };
}

const BACKENDS: BackendName[] = [...ENGINES, ...(REDIS ? (['redis'] as const) : [])];

for (const name of BACKENDS) {
  describe(`brute-force guard, counters in ${name}`, () => {
    let backend: Backend;
    let clock: ManualClock;
    let guard: GuessGuard;
    let purge: () => Promise<void>;
    let ip = 0;

    beforeAll(async () => {
      clock = new ManualClock('2026-03-01T10:00:00Z');
      backend = await openBackend(name);
      await backend.store.store.transaction((tx) =>
        tx.users.insert({
          name: 'alice',
          email: 'alice@example.com',
          emailVerified: true,
          passwordHash: 'x',
          isAdmin: false,
          createdAt: new Date(0).toISOString(),
        }),
      );
    });
    afterAll(() => backend.dispose());

    function useLimits(limits: GuessLimits = LIMITS) {
      const wired = wireGuard({
        counters: backend.counters,
        needsPurge: name !== 'redis',
        limits,
        store: backend.store.store,
        clock,
      });
      guard = wired.guard;
      purge = async () => {
        for (const job of wired.jobs) await job.run();
      };
    }
    // Each test counts on fresh counters: its own account names and addresses.
    afterEach(() => clock.advance(24 * 60 * MINUTE));

    const attempt = (
      account: string,
      clientIp = `198.51.100.${++ip % 250}`,
      secret: GuessedSecret = 'password',
    ): GuessAttempt => ({
      account,
      clientIp,
      secret,
    });

    async function wrong(a: GuessAttempt): Promise<void> {
      await guard.before(a);
      await guard.failed(a);
    }

    /** The refusal as a client gets it: the code and the seconds in Retry-After. */
    async function refusal(a: GuessAttempt) {
      try {
        await guard.before(a);
      } catch (err) {
        if (!isGatehouseError(err)) throw err;
        return { code: err.code, status: err.status, retryAfter: err.headers['retry-after'], message: err.message };
      }
      return undefined;
    }

    async function lockEvents() {
      return (await backend.store.store.events.since(0, 1000)).filter(isEvent('account.locked'));
    }

    it('lets five wrong passwords through, then makes each next one wait 1 s, 2 s, 4 s', async () => {
      useLimits();
      for (let i = 0; i < 5; i++) await wrong(attempt('backoff-a'));
      expect(await refusal(attempt('backoff-a'))).toMatchObject({ code: 'TooManyAttempts', status: 429, retryAfter: '1' });
      clock.advance(1000);
      await wrong(attempt('backoff-a'));
      expect(await refusal(attempt('backoff-a'))).toMatchObject({ code: 'TooManyAttempts', retryAfter: '2' });
      clock.advance(1999);
      expect(await refusal(attempt('backoff-a'))).toMatchObject({ retryAfter: '1' });
      clock.advance(1);
      await wrong(attempt('backoff-a'));
      expect(await refusal(attempt('backoff-a'))).toMatchObject({ retryAfter: '4' });
    });

    it('locks the account for 15 minutes at the tenth wrong password, then starts afresh', async () => {
      useLimits();
      for (let i = 0; i < 10; i++) {
        await wrong(attempt('lock-a'));
        clock.advance(60_000); // past every backoff wait
      }
      const locked = await refusal(attempt('lock-a'));
      expect(locked).toMatchObject({ code: 'TooManyAttempts', retryAfter: String(15 * 60 - 60) });
      clock.advance(14 * MINUTE - 1);
      expect(await refusal(attempt('lock-a'))).toMatchObject({ retryAfter: '1' });
      clock.advance(1);
      // The lock has lifted and the count with it: five free attempts again.
      for (let i = 0; i < 5; i++) await wrong(attempt('lock-a'));
      expect(await refusal(attempt('lock-a'))).toMatchObject({ retryAfter: '1' });
    });

    it('a success resets the account count', async () => {
      useLimits();
      for (let i = 0; i < 5; i++) await wrong(attempt('reset-a'));
      clock.advance(1000);
      const ok = attempt('reset-a');
      await guard.before(ok);
      await guard.succeeded(ok);
      for (let i = 0; i < 5; i++) await wrong(attempt('reset-a'));
      expect(await refusal(attempt('reset-a'))).toMatchObject({ retryAfter: '1' });
    });

    it("a success does not reset the address's count of wrong guesses at other accounts", async () => {
      useLimits({ ...LIMITS, addressBackoffAfter: 3, addressLockAfter: 6 });
      const from = '192.0.2.7';
      await wrong(attempt('addr-b', from));
      await wrong(attempt('addr-c', from));
      const ok = attempt('addr-d', from);
      await guard.before(ok);
      await guard.succeeded(ok);
      await wrong(attempt('addr-e', from));
      // The third wrong guess from this address: a fresh name must wait too, another address need not.
      expect(await refusal(attempt('addr-f', from))).toMatchObject({ code: 'TooManyAttempts', retryAfter: '1' });
      expect(await refusal(attempt('addr-f', '192.0.2.8'))).toBeUndefined();
    });

    it('locks an address that guesses at many accounts, and counts an IPv6 client by its /64', async () => {
      useLimits({ ...LIMITS, addressBackoffAfter: 6, addressLockAfter: 6 });
      for (let i = 0; i < 6; i++) await wrong(attempt(`v6-${i}`, `2001:db8:1:2::${i + 1}`));
      expect(await refusal(attempt('v6-next', '2001:db8:1:2:ffff::9'))).toMatchObject({ retryAfter: String(15 * 60) });
      expect(await refusal(attempt('v6-next', '2001:db8:1:3::1'))).toBeUndefined();
    });

    it('counts each kind of secret apart', async () => {
      useLimits();
      for (let i = 0; i < 5; i++) await wrong(attempt('kinds-a', undefined, 'password'));
      expect(await refusal(attempt('kinds-a', undefined, 'password'))).toMatchObject({ code: 'TooManyAttempts' });
      expect(await refusal(attempt('kinds-a', undefined, 'otp'))).toBeUndefined();
      expect(await refusal(attempt('kinds-a', undefined, 'recovery-code'))).toBeUndefined();
    });

    it('refuses an unknown name exactly as a real one, and tells only the real account of its lock, once', async () => {
      useLimits();
      const before = (await lockEvents()).length;
      for (let i = 0; i < 10; i++) {
        await wrong(attempt('alice'));
        await wrong(attempt('nobody-here'));
        clock.advance(60_000);
      }
      const real = await refusal(attempt('alice'));
      const unknown = await refusal(attempt('nobody-here'));
      expect(real).toMatchObject({ code: 'TooManyAttempts' });
      expect(unknown).toEqual(real);
      // A straggler's failure reported after the lock does not tell the owner again.
      await guard.failed(attempt('alice'));
      const events = (await lockEvents()).slice(before);
      expect(events).toHaveLength(1);
      expect(events[0]!.actor).toEqual({ kind: 'user', userId: expect.any(Number) });
      expect(events[0]!.data).toEqual({ secret: 'password', until: new Date(clock.now() - 60_000 + 15 * MINUTE).toISOString() });
    });

    it('lets no more concurrent guesses through than the schedule allows', async () => {
      useLimits({ ...LIMITS, backoffAfter: 10, lockAfter: 10 });
      const attempts = Array.from({ length: 40 }, () => attempt('alice'));
      const results = await Promise.allSettled(attempts.map((a) => guard.before(a)));
      const passed = attempts.filter((_, i) => results[i]!.status === 'fulfilled');
      expect(passed).toHaveLength(10);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'TooManyAttempts' });
      const before = (await lockEvents()).length;
      await Promise.all(passed.map((a) => guard.failed(a)));
      expect((await lockEvents()).length - before).toBe(1);
    });

    it('forgets counters once their window has passed', async () => {
      useLimits();
      await wrong(attempt('purge-a'));
      await wrong(attempt('purge-b'));
      expect(await backend.stored()).toBeGreaterThan(0);
      clock.advance(15 * MINUTE);
      if (backend.ttls) {
        // Redis drops them itself: every key carries a time to live no longer than the window.
        const ttls = await backend.ttls();
        expect(ttls.length).toBeGreaterThan(0);
        for (const ttl of ttls) expect(ttl > 0 && ttl <= 15 * MINUTE, String(ttl)).toBe(true);
      } else {
        await purge();
        expect(await backend.stored()).toBe(0);
      }
    });
  });
}
