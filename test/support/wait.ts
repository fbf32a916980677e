// Waiting for something to become true, instead of sleeping and hoping it has: checks the
// condition, yields briefly between checks, and fails naming what never happened.
import { setTimeout as pause } from 'node:timers/promises';

/** Resolves once `condition` holds; rejects after `timeoutMs` without it. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`Gave up after ${timeoutMs} ms waiting until ${what}.`);
    // Between checks only; what the test relies on is the condition, never this interval.
    await pause(5);
  }
}
