// The connection to Redis, when GATEHOUSE_REDIS_URL names one. A request whose counter cannot be
// reached fails rather than waits: retries are bounded, so a Redis outage refuses guesses (a 500)
// instead of either hanging every login or letting them through uncounted. The URL may hold a
// password: it is never logged; errors are reported by their message only. ioredis is loaded only
// when Redis is configured: without it the registry never holds the client (a few MB of heap).
import type { Redis } from 'ioredis';

export async function connectRedis(url: string, onError: (message: string) => void): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { maxRetriesPerRequest: 2, connectTimeout: 5000 });
  // ioredis reconnects by itself and repeats the error on every try: report the first of each outage.
  let reported = false;
  redis.on('error', (err: Error) => {
    if (!reported) onError(err.message);
    reported = true;
  });
  redis.on('ready', () => (reported = false));
  return redis;
}

/** Waits for queued replies, then closes; never throws on the way out. */
export async function closeRedis(redis: Redis): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}
