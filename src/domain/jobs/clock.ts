// The one source of "now" for periodic work and day-bucketed counts, so tests move time by hand
// instead of sleeping. Must never be read through Date.now() elsewhere in jobs/ or downloads/.

export interface Clock {
  /** Milliseconds since the epoch, UTC. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: tests set it and call `runDue()` themselves. */
export class ManualClock implements Clock {
  constructor(private at: number) {}

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
