// Where the guess counters live: the database by default (storage/db/guess-counters.ts), Redis
// when several instances share one (adapters/redis/guess-counters.ts). Every operation is one
// atomic step in the store, so concurrent guesses on many connections and many instances cannot
// each read "4 so far" and all go ahead. Keys name an account or an address, never a secret.
import type { CounterRule } from './policy.js';

export type Reservation =
  /** Counted; `attempts` includes this one. */
  | { ok: true; attempts: number }
  /** Not counted: the counter makes the guesser wait until `openAt` (ms since the epoch). */
  | { ok: false; attempts: number; openAt: number };

export interface GuessCounterStore {
  /**
   * If the counter `key` lets an attempt through at `now` (none yet, forgotten, or its wait is
   * over), counts the attempt, sets the wait `rule` gives after that many and keeps the counter
   * for `rule.windowMs`; otherwise changes nothing. One atomic step.
   */
  reserve(key: string, now: number, rule: CounterRule): Promise<Reservation>;
  /**
   * Takes one counted attempt back (an attempt that succeeded, or that the other counter refused),
   * and shortens the wait to what one attempt fewer gives from `now`, if that is sooner.
   */
  release(key: string, now: number, rule: CounterRule): Promise<void>;
  /** Forgets the counter. */
  clear(key: string): Promise<void>;
  /**
   * True once per lock: for the one caller that finds the live counter at `lockAttempts` or more
   * and not yet reported. Returns when the lock lifts (ms), or undefined for every other caller.
   */
  claimLockNotice(key: string, now: number, lockAttempts: number): Promise<number | undefined>;
  /** Deletes counters forgotten by `now`; 0 for a store whose keys expire by themselves. */
  purgeExpired(now: number): Promise<number>;
}
