// The brute-force counters in Redis, so every instance sharing it counts the same guesses. Each
// operation is one Lua script, which Redis runs atomically: the read, the decision and the write
// of one counter cannot interleave with another instance's. A counter is a hash (a: attempts,
// o: open at, e: forgotten at, n: lock reported) whose key expires by itself a window after its
// last attempt; the times inside come from the registry's clock, so tests can move it.
import type { Redis } from 'ioredis';
import type { GuessCounterStore } from '../../domain/guard/store.js';
import type { CounterRule } from '../../domain/guard/policy.js';

// KEYS[1] counter; ARGV: now, windowMs, then the delay after the 1st, 2nd, … attempt (the last is the lock).
const RESERVE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local v = redis.call('HMGET', KEYS[1], 'a', 'o', 'e')
local attempts = tonumber(v[1]) or 0
local openAt = tonumber(v[2]) or 0
if (tonumber(v[3]) or 0) <= now then
  attempts = 0
  openAt = 0
  redis.call('DEL', KEYS[1])
end
if openAt > now then return {0, attempts, tostring(openAt)} end
local n = attempts + 1
local delay = tonumber(ARGV[2 + math.min(n, #ARGV - 2)])
redis.call('HSET', KEYS[1], 'a', n, 'o', tostring(now + delay), 'e', tostring(now + window))
redis.call('PEXPIRE', KEYS[1], window)
return {1, n, tostring(now + delay)}
`;

// KEYS[1] counter; ARGV: now, then the delays as for RESERVE.
const RELEASE = `
local now = tonumber(ARGV[1])
local v = redis.call('HMGET', KEYS[1], 'a', 'o', 'e')
local attempts = tonumber(v[1]) or 0
if attempts < 1 or (tonumber(v[3]) or 0) <= now then return 0 end
local n = attempts - 1
local delay = 0
if n > 0 then delay = tonumber(ARGV[1 + math.min(n, #ARGV - 1)]) end
if now + delay < (tonumber(v[2]) or 0) then
  redis.call('HSET', KEYS[1], 'a', n, 'o', tostring(now + delay))
else
  redis.call('HSET', KEYS[1], 'a', n)
end
return 0
`;

// KEYS[1] counter; ARGV: now, attempts that mean a lock. Returns the lock's end, or '' for every other caller.
const CLAIM_NOTICE = `
local v = redis.call('HMGET', KEYS[1], 'a', 'o', 'e', 'n')
if (tonumber(v[3]) or 0) <= tonumber(ARGV[1]) or (tonumber(v[1]) or 0) < tonumber(ARGV[2]) or v[4] then return '' end
redis.call('HSET', KEYS[1], 'n', '1')
return v[2]
`;

export interface RedisCounterOptions {
  /** Prepended to every key, so one Redis can serve several registries (and tests runs). */
  prefix: string;
}

export class RedisGuessCounters implements GuessCounterStore {
  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisCounterOptions,
  ) {}

  async reserve(key: string, now: number, rule: CounterRule) {
    const args = [String(now), String(Math.ceil(rule.windowMs)), ...delays(rule)];
    const [counted, attempts, openAt] = (await this.redis.eval(RESERVE, 1, this.key(key), ...args)) as [number, number, string];
    return counted === 1
      ? { ok: true as const, attempts: Number(attempts) }
      : { ok: false as const, attempts: Number(attempts), openAt: Number(openAt) };
  }

  async release(key: string, now: number, rule: CounterRule): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(key), String(now), ...delays(rule));
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  async claimLockNotice(key: string, now: number, lockAttempts: number): Promise<number | undefined> {
    const until = (await this.redis.eval(CLAIM_NOTICE, 1, this.key(key), String(now), String(lockAttempts))) as string | null;
    return until ? Number(until) : undefined;
  }

  /** Redis expires every counter itself (PEXPIRE on each attempt). */
  async purgeExpired(): Promise<number> {
    return 0;
  }

  private key(key: string): string {
    return `${this.opts.prefix}guess:${key}`;
  }
}

function delays(rule: CounterRule): string[] {
  return rule.delays.map((ms) => String(Math.round(ms)));
}
