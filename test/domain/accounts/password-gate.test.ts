// The process-wide bound on password hashes: at most N at once, twice N more waiting their turn,
// the rest refused at once with PasswordChecksBusy and a Retry-After. No storage involved.
import { describe, expect, it } from 'vitest';
import { PasswordGate } from '../../../src/domain/accounts/password-gate.js';
import { isGatehouseError } from '../../../src/domain/errors.js';

/** A hash that finishes when the test says so. */
function heldWork() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { release, work: () => done.then(() => 'hashed') };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('password gate', () => {
  it('runs two at once, lets four wait, and refuses the seventh with Retry-After', async () => {
    const gate = new PasswordGate(2);
    const held = Array.from({ length: 6 }, heldWork);
    let started = 0;
    const runs = held.map((h) =>
      gate.run(() => {
        started++;
        return h.work();
      }),
    );
    await settle();
    expect(started).toBe(2);
    const refused = await gate.run(async () => 'never').catch((err: unknown) => err);
    expect(isGatehouseError(refused) && refused.code).toBe('PasswordChecksBusy');
    expect(isGatehouseError(refused) && refused.status).toBe(429);
    expect(isGatehouseError(refused) && Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    for (const h of held) h.release();
    expect(await Promise.all(runs)).toEqual(Array(6).fill('hashed'));
    expect(started).toBe(6);
  });

  it('never runs more than its bound, in whatever order the hashes finish', async () => {
    const gate = new PasswordGate(2);
    let running = 0;
    let most = 0;
    const held = Array.from({ length: 6 }, heldWork);
    const runs = held.map((h) =>
      gate.run(async () => {
        running++;
        most = Math.max(most, running);
        await h.work();
        running--;
      }),
    );
    for (const h of [...held].reverse()) {
      h.release();
      await settle();
    }
    await Promise.all(runs);
    expect(most).toBe(2);
    // Every slot came back: a new hash runs at once.
    expect(await gate.run(async () => 'free')).toBe('free');
  });

  it('frees the slot when a hash throws', async () => {
    const gate = new PasswordGate(1);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
  });
});
