// The event store keeps each payload as canonical JSON and hands events back typed, so what a
// subscriber encodes after a round trip through either engine is what was appended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, freshStore, type TestStore } from '../../support/engines.js';
import { canonicalJson, encodeEvent } from '../../../src/domain/events/encoding.js';
import type { NewEvent } from '../../../src/domain/events/store.js';

// Compile-time checks (tsc runs over test/): each @ts-expect-error fails the type check if the
// line it marks ever compiles, i.e. if append stopped rejecting a payload of the wrong shape.
export function wrongPayloadsDoNotCompile(append: (event: NewEvent) => unknown): void {
  const actor = { kind: 'user', userId: 1 } as const;
  // @ts-expect-error token.revoked carries tokenId and display, not a dist-tag.
  append({ type: 'token.revoked', actor, data: { tag: 'latest' }, createdAt: '' });
  // @ts-expect-error a payload field of the wrong type.
  append({ type: 'package.unpublished', actor, data: { versions: '1.0.0', byAdmin: false }, createdAt: '' });
  // @ts-expect-error a type nobody declared.
  append({ type: 'package.renamed', actor, data: {}, createdAt: '' });
  // @ts-expect-error an actor is a kind and an id, no longer a bare user id.
  append({ type: 'dist_tag.set', actorId: 1, data: { tag: 'latest' }, createdAt: '' });
}

for (const engine of ENGINES) {
  describe(`event store (${engine})`, () => {
    let opened: TestStore;

    beforeAll(async () => {
      opened = await freshStore(engine);
    });
    afterAll(() => opened.dispose());

    it('stores the payload canonically and reads back an event that encodes as appended', async () => {
      const appended: NewEvent = {
        type: 'package.unpublished',
        actor: { kind: 'system' },
        packageName: 'left-pad',
        data: { versions: ['1.0.0', '0.9.0'], byAdmin: true },
        createdAt: '2026-03-04T05:06:07.000Z',
      };
      const seq = await opened.store.events.append(appended);
      const row = await opened.db.selectFrom('events').select('data').where('seq', '=', seq).executeTakeFirstOrThrow();
      expect(row.data).toBe('{"byAdmin":true,"versions":["1.0.0","0.9.0"]}');
      const [event] = await opened.store.events.since(seq - 1, 1);
      expect(event).toMatchObject({ seq, type: 'package.unpublished', packageName: 'left-pad', version: null });
      expect(encodeEvent(event!).toString()).toBe(canonicalJson({ ...appended, seq, version: null }));
    });

    it('refuses a payload with no canonical form and stores nothing', async () => {
      const before = await opened.store.events.latestSeq();
      const fractional = {
        type: 'package.published',
        actor: { kind: 'user', userId: 1 },
        packageName: 'x',
        data: { tag: 'latest', integrity: 'sha512-x', size: 1.5 },
        createdAt: '',
      } as const;
      await expect(opened.store.events.append(fractional)).rejects.toThrow(TypeError);
      expect(await opened.store.events.latestSeq()).toBe(before);
    });
  });
}
