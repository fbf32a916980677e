// The Redis running on this machine (127.0.0.1:6379) for the guard's tests: a key prefix per run,
// deleted afterwards. Without Redis a local run skips the Redis cases; in CI (CI=true) a missing
// Redis fails them, so they can never silently stop running.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when Redis answers; throws in CI when it does not. */
export async function redisAvailable(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch (err) {
    if (process.env.CI === 'true') throw new Error(`Redis is required in CI at ${REDIS_URL}: ${(err as Error).message}`);
    return false;
  } finally {
    redis.disconnect();
  }
}

export function testPrefix(): string {
  return `gatehouse-test:${randomBytes(6).toString('hex')}:`;
}

export function testRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
}

/** Every key under `prefix`, for assertions about what a test left. */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  if (keys.length > 0) await redis.del(...keys);
}
