// The one source of "now" for the whole registry: every domain service, the event follower, the
// job runner and the HTTP answers that print a time read it, and `openRegistry` is handed one.
// Tests pass a ManualClock and move time by hand instead of sleeping; the system clock below is
// the only place in src/ that reads the wall clock.

export interface Clock {
  /** Milliseconds since the epoch, UTC. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The clock's time as a Date, for the services that record ISO timestamps. */
export function dateOf(clock: Clock): Date {
  return new Date(clock.now());
}

/** A clock that only moves when told to: tests set it and call `runDue()` themselves. */
export class ManualClock implements Clock {
  private at: number;

  constructor(at: number | string) {
    this.at = typeof at === 'string' ? Date.parse(at) : at;
  }

  now(): number {
    return this.at;
  }

  advance(ms: number): void {
    this.at += ms;
  }

  set(at: number | string): void {
    this.at = typeof at === 'string' ? Date.parse(at) : at;
  }
}
