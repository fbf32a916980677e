// The job runner on both engines, with two registries sharing one database as two instances
// would: a cluster job runs once per interval, never on both at once, and a crashed holder's
// lease runs out. Time only moves through the ManualClock; nothing here waits for a timer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, freshDatabase, type TestDatabase } from '../support/engines.js';
import { ManualClock } from '../../src/domain/jobs/clock.js';
import { JobRunner } from '../../src/domain/jobs/runner.js';
import { openRegistry, type OpenedRegistry } from '../../src/registry.js';

const MINUTE = 60_000;

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

for (const engine of ENGINES) {
  describe(`job runner (${engine})`, () => {
    let database: TestDatabase;
    let a: OpenedRegistry;
    let b: OpenedRegistry;
    const clock = new ManualClock(Date.parse('2026-04-01T00:00:00Z'));

    beforeAll(async () => {
      database = await freshDatabase(engine, { downloadFlushMs: 0 });
      a = await openRegistry(database.config, { clock });
      b = await openRegistry(database.config, { clock });
    });
    afterAll(async () => {
      await a.close();
      await b.close();
      await database.dispose();
    });

    it('runs a cluster job once per interval across two instances', async () => {
      const runs: string[] = [];
      a.jobs.define({ name: 'tally', scope: 'cluster', intervalMs: MINUTE, run: async () => void runs.push('a') });
      b.jobs.define({ name: 'tally', scope: 'cluster', intervalMs: MINUTE, run: async () => void runs.push('b') });
      // Each instance also runs its own instance jobs (the OSV archive): only the tally is asserted.
      const tallies = (ran: string[]) => ran.filter((name) => name === 'tally');
      expect(tallies([...(await a.jobs.runDue()), ...(await b.jobs.runDue())])).toEqual([]);
      for (let interval = 1; interval <= 5; interval++) {
        clock.advance(MINUTE);
        // Both instances ask at the same moment, as their timers would.
        const [ranA, ranB] = await Promise.all([a.jobs.runDue(), b.jobs.runDue()]);
        expect(tallies([...ranA, ...ranB])).toEqual(['tally']);
        // Asking again within the interval runs nothing.
        clock.advance(MINUTE / 2 - 1);
        expect(tallies([...(await a.jobs.runDue()), ...(await b.jobs.runDue())])).toEqual([]);
        clock.advance(-(MINUTE / 2 - 1));
      }
      expect(runs.length).toBe(5);
    });

    it('never runs a job on two instances at once, even past its interval', async () => {
      const slow = deferred();
      let running = 0;
      let most = 0;
      const run = async () => {
        running += 1;
        most = Math.max(most, running);
        // Only the first run waits, so a wrongly overlapping second one shows up instead of hanging.
        if (running === 1) await slow.promise;
        running -= 1;
      };
      a.jobs.define({ name: 'slow', scope: 'cluster', intervalMs: MINUTE, maxRunMs: 10 * MINUTE, run });
      b.jobs.define({ name: 'slow', scope: 'cluster', intervalMs: MINUTE, maxRunMs: 10 * MINUTE, run });
      clock.advance(MINUTE);
      const first = a.jobs.runDue();
      // a's run starts only after its lease is taken.
      while (running === 0) await new Promise((r) => setImmediate(r));
      clock.advance(MINUTE);
      // Due again by the clock, but a still holds the lease.
      expect(await b.jobs.runDue()).not.toContain('slow');
      slow.resolve();
      expect(await first).toContain('slow');
      expect(most).toBe(1);
      clock.advance(MINUTE);
      expect(await b.jobs.runDue()).toContain('slow');
    });

    it("lets another instance run once a crashed holder's lease has run out", async () => {
      const runs: string[] = [];
      b.jobs.define({
        name: 'orphan',
        scope: 'cluster',
        intervalMs: MINUTE,
        maxRunMs: 5 * MINUTE,
        run: async () => void runs.push('b'),
      });
      // An instance took the lease and died: nobody will release it.
      expect(await a.store.jobLeases.tryAcquire('orphan', 'crashed', clock.now(), MINUTE, 5 * MINUTE)).toBe(true);
      clock.advance(MINUTE);
      expect(await b.jobs.runDue()).not.toContain('orphan');
      clock.advance(4 * MINUTE);
      expect(await b.jobs.runDue()).toContain('orphan');
      expect(runs).toEqual(['b']);
    });

    it('runs an instance job on every instance, and a failing job again at its next interval', async () => {
      const errors: string[] = [];
      let calls = 0;
      const runner = new JobRunner({ leases: a.store.jobLeases, clock, owner: 'test', onError: (job) => errors.push(job) });
      runner.define({
        name: 'flaky',
        scope: 'instance',
        intervalMs: MINUTE,
        run: async () => {
          calls += 1;
          if (calls === 1) throw new Error('database away');
        },
      });
      a.jobs.define({ name: 'local', scope: 'instance', intervalMs: MINUTE, run: async () => {} });
      b.jobs.define({ name: 'local', scope: 'instance', intervalMs: MINUTE, run: async () => {} });
      clock.advance(MINUTE);
      expect(await runner.runDue()).toEqual(['flaky']);
      expect(errors).toEqual(['flaky']);
      expect(await a.jobs.runDue()).toContain('local');
      expect(await b.jobs.runDue()).toContain('local');
      clock.advance(MINUTE);
      expect(await runner.runDue()).toEqual(['flaky']);
      expect({ calls, errors }).toEqual({ calls: 2, errors: ['flaky'] });
      expect(() => runner.define({ name: 'flaky', scope: 'instance', intervalMs: MINUTE, run: async () => {} })).toThrow();
    });
  });
}
