// The brute-force guard wired in one place: counters in the database or in Redis (the composition
// root picks the store), the schedule from the settings, and the job that deletes forgotten
// counters where the store does not expire them itself.
import type { GuessGuard } from '../access/guess-guard.js';
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { JobDefinition } from '../jobs/runner.js';
import type { GuessCounterStore } from './store.js';
import { guardRules, type GuessLimits } from './policy.js';
import { CountingGuessGuard } from './service.js';

export interface GuardDeps {
  counters: GuessCounterStore;
  /** False for a store whose keys expire by themselves (Redis TTLs): then no cleanup job. */
  needsPurge: boolean;
  limits: GuessLimits;
  store: Store;
  clock: Clock;
}

export interface GuardDomain {
  guard: GuessGuard;
  /** For the job runner; the composition root defines them once it has one. */
  jobs: JobDefinition[];
}

const PURGE_INTERVAL_MS = 10 * 60 * 1000;

export function wireGuard(deps: GuardDeps): GuardDomain {
  const { counters, clock } = deps;
  const guard = new CountingGuessGuard({ counters, rules: guardRules(deps.limits), store: deps.store, clock });
  const purge: JobDefinition = {
    name: 'guess-counters.purge',
    intervalMs: PURGE_INTERVAL_MS,
    scope: 'cluster',
    run: async () => void (await counters.purgeExpired(clock.now())),
  };
  return { guard, jobs: deps.needsPurge ? [purge] : [] };
}

export type { GuessLimits } from './policy.js';
export type { GuessCounterStore } from './store.js';
