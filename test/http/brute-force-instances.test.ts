// The test: two Gatehouse instances on one PostgreSQL database, their brute-force counters
// in a shared Redis (and, without Redis, in the shared database), wrong guesses split between
// them. The lock one instance's guesses bring about is seen by both, and the owner is told once.
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, freshDatabase, type TestDatabase } from '../support/engines.js';
import { openRegistry, type OpenedRegistry } from '../../src/registry.js';
import { buildApp } from '../../src/http/app.js';
import { ManualClock } from '../../src/domain/clock.js';
import { isEvent } from '../../src/domain/events/store.js';
import { dropPrefix, keysUnder, REDIS_URL, redisAvailable, testPrefix, testRedis } from '../domain/guard/redis-support.js';

const REDIS = await redisAvailable();
const MODES = [...(REDIS ? (['redis'] as const) : []), 'database'] as const;
const PASSWORD = 'the-right-password-for-carol';

for (const mode of ENGINES.includes('postgres') ? MODES : []) {
  describe(`lockout across two instances sharing PostgreSQL, counters in ${mode}`, () => {
    const clock = new ManualClock('2026-03-01T10:00:00Z');
    const prefix = testPrefix();
    let database: TestDatabase;
    let instances: { registry: OpenedRegistry; app: FastifyInstance }[] = [];
    let redis: Redis | undefined;

    beforeAll(async () => {
      database = await freshDatabase('postgres', mode === 'redis' ? { redisUrl: REDIS_URL, redisKeyPrefix: prefix } : {});
      for (let i = 0; i < 2; i++) {
        const registry = await openRegistry(database.config, { clock });
        instances.push({ registry, app: await buildApp(registry, { logger: false }) });
      }
      await instances[0]!.registry.accounts.createUser({
        name: 'carol',
        email: 'carol@example.com',
        password: PASSWORD,
        isAdmin: false,
      });
      if (mode === 'redis') redis = testRedis();
    });
    afterAll(async () => {
      for (const { app, registry } of instances) {
        await app.close();
        await registry.close();
      }
      instances = [];
      if (redis) {
        await dropPrefix(redis, prefix);
        redis.disconnect();
      }
      await database?.dispose();
    });

    const login = (instance: number, password: string, remoteAddress: string) =>
      instances[instance]!.app.inject({
        method: 'PUT',
        url: '/-/user/org.couchdb.user:carol',
        headers: { 'content-type': 'application/json' },
        remoteAddress,
        payload: JSON.stringify({ name: 'carol', password }),
      });

    it('locks the account for both once the wrong guesses made at either add up to the limit', async () => {
      for (let i = 0; i < 10; i++) {
        const res = await login(i % 2, 'wrong-password-guess', `203.0.113.${i + 1}`);
        expect(res.json<{ code: string }>().code).toBe('BadCredentials');
        clock.advance(60_000); // past every backoff wait: only the lock can refuse now
      }
      for (const instance of [0, 1]) {
        const res = await login(instance, PASSWORD, '203.0.113.200');
        expect(res.statusCode, res.body).toBe(429);
        expect(res.json<{ code: string }>().code).toBe('TooManyAttempts');
        expect(res.headers['retry-after']).toBe(String(14 * 60));
      }
      const events = (await instances[1]!.registry.store.events.since(0, 1000)).filter(isEvent('account.locked'));
      expect(events).toHaveLength(1);
      if (redis) expect((await keysUnder(redis, prefix)).length).toBeGreaterThan(0);
      clock.advance(14 * 60 * 1000);
      expect((await login(1, PASSWORD, '203.0.113.200')).statusCode).toBe(201);
    });

    it('lets no more concurrent guesses through both instances together than the schedule allows', async () => {
      clock.advance(60 * 60 * 1000);
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, i) => login(i % 2, 'wrong-password-guess', `198.51.100.${i + 1}`)),
      );
      const codes = answers.map((res) => res.json<{ code: string }>().code);
      // Five free guesses for the account; each instance's password gate takes six at a time, so
      // whatever else is refused is refused as busy or as too many attempts, never checked.
      expect(codes.filter((code) => code === 'BadCredentials')).toHaveLength(5);
      expect(codes.every((code) => ['BadCredentials', 'TooManyAttempts', 'PasswordChecksBusy'].includes(code))).toBe(true);
    });
  });
}
