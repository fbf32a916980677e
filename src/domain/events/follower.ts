// Follows the committed event sequence and hands each event, once and in order, to every
// subscriber: cache invalidation today (another instance's change made an answer stale), later
// the transparency log, outbox and search. It must never hand over an uncommitted event.
import type { EventStore, RegistryEvent } from './store.js';
import { systemClock, type Clock } from '../clock.js';

// PostgreSQL numbers an event when it is inserted but shows it only when its transaction commits,
// so seq 7 can become visible after seq 8 was read. A skipped seq is re-read until it appears or
// is this old; then it belonged to a transaction that rolled back (which also leaves holes).
const GAP_WAIT_MS = 60_000;
const MAX_GAPS = 10_000;
const BATCH = 500;

export type Subscriber = (event: RegistryEvent) => void;

export class EventFollower {
  private last = 0;
  /** Seqs skipped over (not yet visible), with when they were first missed. */
  private readonly gaps = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  private readonly subscribers = new Set<Subscriber>();

  constructor(
    private readonly events: EventStore,
    private readonly intervalMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  private now(): number {
    return this.clock.now();
  }

  /** Calls `fn` with each event committed after `start()`; returns the way to stop. */
  subscribe(fn: Subscriber): () => void {
    // A wrapper, so subscribing the same function twice gives two independent subscriptions.
    const entry: Subscriber = (event) => fn(event);
    this.subscribers.add(entry);
    return () => this.subscribers.delete(entry);
  }

  /**
   * A throwing subscriber does not keep the others from the event. The error then propagates and
   * the position does not advance, so the next poll offers the event to every subscriber again
   * (as with the single callback before): subscribers must tolerate seeing an event twice.
   */
  private apply(event: RegistryEvent): void {
    const errors: unknown[] = [];
    for (const fn of this.subscribers) {
      try {
        fn(event);
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} event subscribers failed on seq ${event.seq}`);
  }

  async start(): Promise<void> {
    this.last = await this.events.latestSeq();
    if (this.intervalMs > 0) {
      this.timer = setInterval(() => void this.poll(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Applies every event after the last one seen; overlapping calls share one run. */
  poll(): Promise<void> {
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return this.running;
  }

  private async drain(): Promise<void> {
    await this.fillGaps();
    for (;;) {
      const batch = await this.events.since(this.last, BATCH);
      for (const event of batch) {
        const noticed = this.now();
        for (let seq = this.last + 1; seq < event.seq && this.gaps.size < MAX_GAPS; seq++) this.gaps.set(seq, noticed);
        this.apply(event);
        this.last = event.seq;
      }
      if (batch.length < BATCH) return;
    }
  }

  /** Re-reads from the oldest open gap up to `last` and applies the events that have filled one. */
  private async fillGaps(): Promise<void> {
    const now = this.now();
    for (const [seq, noticed] of this.gaps) if (now - noticed > GAP_WAIT_MS) this.gaps.delete(seq);
    if (this.gaps.size === 0) return;
    let from = Math.min(...this.gaps.keys()) - 1;
    while (from < this.last && this.gaps.size > 0) {
      const batch = await this.events.since(from, BATCH);
      for (const event of batch) if (event.seq <= this.last && this.gaps.delete(event.seq)) this.apply(event);
      if (batch.length < BATCH) return;
      from = batch[batch.length - 1]!.seq;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
