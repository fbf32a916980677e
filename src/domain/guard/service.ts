// The brute-force guard every guessable secret goes through: each attempt is counted before the
// secret is compared (so a burst of parallel guesses cannot all pass while the count is low), per
// account as typed and per source address, and refused with 429 + Retry-After while either waits.
// Known and unknown names are counted and answered alike; only the lock notice, which is an
// event for the account's owner, looks the name up. Never sees the secret being guessed.
import type { GuessAttempt, GuessGuard } from '../access/guess-guard.js';
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import { fail } from '../errors.js';
import { userActor } from '../access/actor.js';
import type { GuessCounterStore, Reservation } from './store.js';
import { counterKeys, isLocked, type CounterRule, type GuardRules } from './policy.js';

export interface GuessGuardDeps {
  counters: GuessCounterStore;
  rules: GuardRules;
  /** Users to find the owner of a locked account, and the event log to tell them. */
  store: Store;
  clock: Clock;
}

export class CountingGuessGuard implements GuessGuard {
  constructor(private readonly deps: GuessGuardDeps) {}

  async before(attempt: GuessAttempt): Promise<void> {
    const { counters, rules, clock } = this.deps;
    const keys = counterKeys(attempt);
    const now = clock.now();
    const address = await counters.reserve(keys.address, now, rules.address);
    if (!address.ok) refuse(address, rules.address, now);
    const account = await counters.reserve(keys.account, now, rules.account);
    if (!account.ok) {
      // The account refused, so no guess was made: the address gets its count back.
      await counters.release(keys.address, now, rules.address);
      refuse(account, rules.account, now);
    }
  }

  async failed(attempt: GuessAttempt): Promise<void> {
    const { counters, rules, clock, store } = this.deps;
    // The attempt was counted by before(); all that is left is to tell the owner of a new lock.
    const now = clock.now();
    const until = await counters.claimLockNotice(counterKeys(attempt).account, now, rules.account.delays.length);
    if (until === undefined) return;
    // Names are lower-case (accounts/names.ts); the counter counted every case of this one.
    const user = await store.users.byName(attempt.account.toLowerCase());
    if (!user) return;
    await store.transaction((tx) =>
      tx.events.append({
        type: 'account.locked',
        actor: userActor(user),
        data: { secret: attempt.secret, until: new Date(until).toISOString() },
        createdAt: new Date(now).toISOString(),
      }),
    );
  }

  async succeeded(attempt: GuessAttempt): Promise<void> {
    const { counters, clock, rules } = this.deps;
    const keys = counterKeys(attempt);
    // The account starts afresh; the address keeps its wrong guesses at other accounts.
    await counters.clear(keys.account);
    await counters.release(keys.address, clock.now(), rules.address);
  }
}

/** The same answer for every name and address: it says how long to wait, never why or for whom. */
function refuse(refusal: Extract<Reservation, { ok: false }>, rule: CounterRule, now: number): never {
  const seconds = Math.max(1, Math.ceil((refusal.openAt - now) / 1000));
  const wait = seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} second${seconds === 1 ? '' : 's'}`;
  const message = isLocked(rule, refusal.attempts)
    ? `Too many failed attempts: trying again is locked for ${wait}.`
    : `Too many failed attempts. Wait ${wait} and try again.`;
  fail('TooManyAttempts', message, { 'retry-after': String(seconds) });
}
