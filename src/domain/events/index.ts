// The events domain wired in one place: the follower of the committed event sequence. What
// subscribes to it is wired by the composition root, which knows every domain.
import type { Clock } from '../clock.js';
import type { EventStore } from './store.js';
import { EventFollower } from './follower.js';

export interface EventsDeps {
  events: EventStore;
  /** How long a skipped sequence number is waited for. */
  clock: Clock;
  /** Milliseconds between polls; 0 polls only when asked. */
  pollMs: number;
}

export interface EventsDomain {
  events: EventFollower;
}

export function wireEvents(deps: EventsDeps): EventsDomain {
  return { events: new EventFollower(deps.events, deps.pollMs, deps.clock) };
}
