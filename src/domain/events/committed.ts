// Hands the events a change appended to this instance's subscribers the moment its transaction
// commits, so a read right after a publish on the same instance is already fresh. The follower
// then skips them when its poll reaches them. Must never deliver an event whose transaction
// rolled back: delivery happens only after `transaction` resolved.
import type { Repositories, Store } from '../store.js';
import type { EventStore, NewEvent, RegistryEvent } from './store.js';

export type CommittedDelivery = (events: RegistryEvent[]) => void;

/** `store`, with every event appended through it delivered to `deliver` once it is committed. */
export function deliveringCommitted(store: Store, deliver: CommittedDelivery): Store {
  const wrapped: Store = Object.create(store) as Store;
  wrapped.transaction = async <T>(work: (tx: Repositories) => Promise<T>): Promise<T> => {
    let appended: RegistryEvent[] = [];
    const result = await store.transaction((tx) => {
      // A retried transaction starts over: only the attempt that committed counts.
      appended = [];
      return work({ ...tx, events: recording(tx.events, (event) => appended.push(event)) });
    });
    if (appended.length > 0) deliver(appended);
    return result;
  };
  // Outside a transaction an append commits on its own.
  wrapped.events = recording(store.events, (event) => deliver([event]));
  return wrapped;
}

function recording(events: EventStore, appended: (event: RegistryEvent) => void): EventStore {
  return {
    async append(event) {
      const seq = await events.append(event);
      appended(committedForm(event, seq));
      return seq;
    },
    since: (seq, limit) => events.since(seq, limit),
    latestSeq: () => events.latestSeq(),
  };
}

/** The event as `since` reads it back. */
function committedForm(event: NewEvent, seq: number): RegistryEvent {
  return { ...event, seq, packageName: event.packageName ?? null, version: event.version ?? null } as RegistryEvent;
}
