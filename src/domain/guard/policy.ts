// How many guesses a counter allows and how long it then makes the guesser wait: a few free
// attempts, then waits that double up to a cap, then a lock. Pure: the stores apply the schedule
// it computes inside one atomic step each, so the policy lives here once and only here.
// Must never see a secret: it knows names, addresses and counts only.
import type { GuessAttempt } from '../access/guess-guard.js';

export interface GuessLimits {
  /** Attempts an account may get wrong before each further one must wait. */
  backoffAfter: number;
  /** Attempts after which the account is locked. */
  lockAfter: number;
  /** The same two for one source address, over every account it tries. */
  addressBackoffAfter: number;
  addressLockAfter: number;
  /** The first wait; each further wrong attempt doubles it, up to maxBackoffMs. */
  firstBackoffMs: number;
  maxBackoffMs: number;
  /** How long a lock lasts; a counter with no attempt for this long is forgotten. */
  lockMs: number;
}

/** What a store needs to count one subject: the wait after each counted attempt. */
export interface CounterRule {
  /** `delays[n - 1]` is the wait after the n-th attempt; the last entry is the lock, and applies from then on. */
  delays: readonly number[];
  /** A counter is forgotten this long after its last attempt; at least the longest delay. */
  windowMs: number;
}

export interface GuardRules {
  account: CounterRule;
  address: CounterRule;
}

// A longer schedule is a mistake in the settings, and each entry becomes a term in the SQL upsert.
const MAX_LOCK_AFTER = 1000;

export function guardRules(limits: GuessLimits): GuardRules {
  return {
    account: counterRule(limits.backoffAfter, limits.lockAfter, limits, 'guessLockAfter'),
    address: counterRule(limits.addressBackoffAfter, limits.addressLockAfter, limits, 'guessAddressLockAfter'),
  };
}

function counterRule(backoffAfter: number, lockAfter: number, limits: GuessLimits, setting: string): CounterRule {
  if (!Number.isInteger(lockAfter) || lockAfter < 1 || lockAfter > MAX_LOCK_AFTER) {
    throw new Error(`${setting} must be a whole number from 1 to ${MAX_LOCK_AFTER}.`);
  }
  const cap = Math.min(limits.maxBackoffMs, limits.lockMs);
  const delays: number[] = [];
  for (let n = 1; n < lockAfter; n++) {
    delays.push(n < backoffAfter ? 0 : Math.min(limits.firstBackoffMs * 2 ** (n - backoffAfter), cap));
  }
  delays.push(limits.lockMs);
  return { delays, windowMs: Math.max(limits.lockMs, 1) };
}

/** True when `attempts` counted attempts mean the lock (not a backoff wait). */
export function isLocked(rule: CounterRule, attempts: number): boolean {
  return attempts >= rule.delays.length;
}

export interface CounterKeys {
  account: string;
  address: string;
}

// Names are lower-case (accounts/names.ts), so case variants of one name are one account; longer
// than any valid name is cut, so an attacker cannot make keys of unbounded size.
const MAX_NAME = 100;

/** The counters an attempt touches; each secret kind is counted apart. */
export function counterKeys(attempt: GuessAttempt): CounterKeys {
  const name = attempt.account.toLowerCase().slice(0, MAX_NAME);
  return {
    account: `${attempt.secret}:account:${name}`,
    address: `${attempt.secret}:address:${addressGroup(attempt.clientIp)}`,
  };
}

/**
 * The address as counted: an IPv6 client is counted by its /64, which one subscriber usually
 * holds whole (RFC 6177), or rotating through it would give a fresh counter per guess.
 */
export function addressGroup(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const groups = expandIpv6(ip);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : ip;
}

function expandIpv6(ip: string): string[] | undefined {
  const [head, tail, extra] = ip.split('%')[0]!.toLowerCase().split('::');
  if (extra !== undefined) return undefined;
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => g.replace(/^0+(?=.)/, ''));
}
