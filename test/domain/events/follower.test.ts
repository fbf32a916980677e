// The event follower is how one instance learns that another changed a package or revoked a token.
// It must see every committed event exactly when it commits, whatever order the commits land in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, freshStore, type TestStore } from '../../support/engines.js';
import type { Store } from '../../../src/domain/store.js';
import type { RegistryEvent } from '../../../src/domain/events/store.js';
import { EventFollower, MAX_DELIVERY_ATTEMPTS } from '../../../src/domain/events/follower.js';
import { systemClock } from '../../../src/domain/clock.js';

const event = (packageName: string) => ({
  type: 'dist_tag.set' as const,
  actor: { kind: 'system' as const },
  packageName,
  data: { tag: 'latest' },
  createdAt: new Date().toISOString(),
});

for (const engine of ENGINES) {
  describe(`event follower (${engine})`, () => {
    let opened: TestStore;
    let store: Store;

    beforeAll(async () => {
      opened = await freshStore(engine);
      store = opened.store;
    });
    afterAll(() => opened.dispose());

    it('applies each committed event once, in order', async () => {
      const seen: RegistryEvent[] = [];
      const follower = new EventFollower(store.events, 0);
      follower.subscribe((e) => seen.push(e));
      await follower.start();
      for (const name of ['a', 'b', 'c']) await store.events.append(event(name));
      await follower.poll();
      await follower.poll();
      expect(seen.map((e) => e.packageName)).toEqual(['a', 'b', 'c']);
      expect(seen.map((e) => e.seq)).toEqual([...seen.map((e) => e.seq)].sort((x, y) => x - y));
    });

    // SQLite runs one writing transaction at a time, so its events become visible in seq order.
    // PostgreSQL numbers an event when it is inserted and shows it when its transaction commits:
    // a slow transaction's event can appear after a later one's has already been read.
    // Defined for PostgreSQL only (not skipped on SQLite), so CI shows no skipped tests.
    if (engine === 'postgres')
      it('still applies an event whose transaction commits after a later one', async () => {
        const seen: string[] = [];
        const follower = new EventFollower(store.events, 0);
        follower.subscribe((e) => seen.push(e.packageName ?? ''));
        await follower.start();
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let appended!: () => void;
        const slowAppended = new Promise<void>((resolve) => (appended = resolve));
        const slow = store.transaction(async (tx) => {
          await tx.events.append(event('slow'));
          appended();
          await held;
        });
        await slowAppended;
        await store.transaction((tx) => tx.events.append(event('fast')));
        await follower.poll();
        expect(seen).toEqual(['fast']);
        release();
        await slow;
        await follower.poll();
        expect(seen).toEqual(['fast', 'slow']);
        await follower.poll();
        expect(seen).toEqual(['fast', 'slow']);
      });

    it('stops looking for the event of a rolled-back transaction after a while', async () => {
      let clock = 1_000_000;
      const reads: number[] = [];
      const events = {
        ...store.events,
        since: (seq: number, limit: number) => (reads.push(seq), store.events.since(seq, limit)),
      };
      const seen: string[] = [];
      const follower = new EventFollower(events, 0, { now: () => clock });
      follower.subscribe((e) => seen.push(e.packageName ?? ''));
      await follower.start();
      await store
        .transaction(async (tx) => {
          await tx.events.append(event('rolled-back'));
          throw new Error('roll back');
        })
        .catch(() => undefined);
      await store.events.append(event('kept'));
      await follower.poll();
      expect(seen).toEqual(['kept']);
      const last = await store.events.latestSeq();
      reads.length = 0;
      await follower.poll();
      // PostgreSQL spent a seq on the rolled-back event, so for now the follower keeps looking for it.
      expect(reads).toEqual(engine === 'postgres' ? [last - 2, last] : [last]);
      clock += 61_000;
      reads.length = 0;
      await follower.poll();
      expect(reads).toEqual([last]);
      expect(seen).toEqual(['kept']);
    });

    it('gives every subscriber each event, keeps going past one that throws, and stops on unsubscribe', async () => {
      const follower = new EventFollower(store.events, 0);
      const first: string[] = [];
      const second: string[] = [];
      const stopFirst = follower.subscribe((e) => first.push(e.packageName ?? ''));
      follower.subscribe(() => {
        throw new Error('subscriber broke');
      });
      follower.subscribe((e) => second.push(e.packageName ?? ''));
      await follower.start();
      await store.events.append(event('one'));
      await expect(follower.poll()).rejects.toThrow('subscriber broke');
      expect(first).toEqual(['one']);
      expect(second).toEqual(['one']);
      stopFirst();
      await store.events.append(event('two'));
      await expect(follower.poll()).rejects.toThrow('subscriber broke');
      // The position did not advance past a failed event, so it is offered again.
      expect(first).toEqual(['one']);
      expect(second).toEqual(['one', 'one']);
    });

    it('skips, with a warning that carries no error message, an event a subscriber always fails on', async () => {
      const warnings: string[] = [];
      const follower = new EventFollower(store.events, 0, systemClock, (message) => warnings.push(message));
      const delivered: string[] = [];
      follower.subscribe((e) => {
        // The message stands for anything a subscriber might say, a secret included.
        if (e.packageName === 'poison') throw new Error('gth_secretthatmustnotleak');
        delivered.push(e.packageName ?? '');
      });
      await follower.start();
      for (const name of ['before', 'poison', 'after']) await store.events.append(event(name));
      for (let attempt = 1; attempt < MAX_DELIVERY_ATTEMPTS; attempt++) {
        await expect(follower.poll()).rejects.toThrow('gth_secretthatmustnotleak');
        expect(delivered).toEqual(['before']);
        expect(warnings).toEqual([]);
      }
      await follower.poll();
      expect(delivered).toEqual(['before', 'after']);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/event \d+ \(dist_tag\.set\) skipped after 5 failed deliveries \(Error\)/);
      expect(warnings[0]).not.toContain('gth_');
      // Later events flow as usual.
      await store.events.append(event('later'));
      await follower.poll();
      expect(delivered).toEqual(['before', 'after', 'later']);
    });

    it('skips on the poll an event it delivered at commit, and still polls the rest', async () => {
      const follower = new EventFollower(store.events, 0);
      const seen: string[] = [];
      follower.subscribe((e) => void seen.push(e.packageName ?? ''));
      await follower.start();
      const seq = await store.events.append(event('local'));
      const [local] = await store.events.since(seq - 1, 1);
      follower.deliverCommitted([local!]);
      await store.events.append(event('remote'));
      await follower.poll();
      expect(seen).toEqual(['local', 'remote']);
    });
  });
}
