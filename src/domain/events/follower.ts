// Follows the committed event sequence and hands each event, once and in order, to every
// subscriber: cache invalidation today (another instance's change made an answer stale), later
// the transparency log, outbox and search. It must never hand over an uncommitted event.
// This instance's own events arrive earlier, at commit (committed.ts), and are not handed over
// again; so subscribers see local events in commit order, possibly before older remote ones.
import type { EventStore, RegistryEvent } from './store.js';
import { systemClock, type Clock } from '../clock.js';

// PostgreSQL numbers an event when it is inserted but shows it only when its transaction commits,
// so seq 7 can become visible after seq 8 was read. A skipped seq is re-read until it appears or
// is this old; then it belonged to a transaction that rolled back (which also leaves holes).
const GAP_WAIT_MS = 60_000;
const MAX_GAPS = 10_000;
const BATCH = 500;
// A subscriber that fails on one event this many times is not going to succeed: the event is
// skipped with a warning rather than holding back every later one forever.
export const MAX_DELIVERY_ATTEMPTS = 5;
// Seqs delivered at commit that the poll has not reached yet; more means the poll is not running.
const MAX_DELIVERED_AHEAD = 10_000;

export type Subscriber = (event: RegistryEvent) => void;

export class EventFollower {
  private last = 0;
  /** Seqs skipped over (not yet visible), with when they were first missed. */
  private readonly gaps = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  private readonly subscribers = new Set<Subscriber>();
  /** Seqs already delivered at commit (deliverCommitted): the poll skips each once. */
  private readonly deliveredAhead = new Set<number>();
  /** Failed deliveries per seq, until it succeeds or is skipped. */
  private readonly failures = new Map<number, number>();

  constructor(
    private readonly events: EventStore,
    private readonly intervalMs: number,
    private readonly clock: Clock = systemClock,
    /** Told when an event is skipped; never given event data or an error message, only names. */
    private readonly warn: (message: string) => void = (message) => process.emitWarning(message),
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

  /**
   * This instance's events, as soon as their transaction committed. One a subscriber fails on is
   * left to the poll, which offers it again (and gives up after MAX_DELIVERY_ATTEMPTS).
   */
  deliverCommitted(events: RegistryEvent[]): void {
    for (const event of events) {
      try {
        this.apply(event);
      } catch {
        continue;
      }
      // Already passed by the poll (it read the event before this call): nothing to skip later.
      if (event.seq <= this.last && !this.gaps.has(event.seq)) continue;
      this.deliveredAhead.add(event.seq);
      if (this.deliveredAhead.size > MAX_DELIVERED_AHEAD) {
        // The oldest: at worst it is delivered twice, which subscribers tolerate.
        this.deliveredAhead.delete(this.deliveredAhead.values().next().value as number);
      }
    }
  }

  /** Hands `event` over unless it went at commit; skips it, warning, after too many failures. */
  private offer(event: RegistryEvent): void {
    if (this.deliveredAhead.delete(event.seq)) return;
    try {
      this.apply(event);
      this.failures.delete(event.seq);
    } catch (err) {
      const attempts = (this.failures.get(event.seq) ?? 0) + 1;
      if (attempts < MAX_DELIVERY_ATTEMPTS) {
        this.failures.set(event.seq, attempts);
        throw err;
      }
      this.failures.delete(event.seq);
      this.warn(
        `gatehouse: event ${event.seq} (${event.type}) skipped after ${attempts} failed deliveries ` +
          `(${errorNames(err)}); later events go on.`,
      );
    }
  }

  async start(): Promise<void> {
    this.last = await this.events.latestSeq();
    this.deliveredAhead.clear();
    if (this.intervalMs > 0) {
      // A failure is retried by the next poll and warned about when it is given up (offer).
      this.timer = setInterval(() => void this.poll().catch(() => {}), this.intervalMs);
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
        this.offer(event);
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
      for (const event of batch) if (event.seq <= this.last && this.gaps.delete(event.seq)) this.offer(event);
      if (batch.length < BATCH) return;
      from = batch[batch.length - 1]!.seq;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

/** Error class names only: a subscriber's message could quote anything, secrets included. */
function errorNames(err: unknown): string {
  const errors = err instanceof AggregateError ? err.errors : [err];
  return errors.map((e: unknown) => (e instanceof Error ? e.name : typeof e)).join(', ');
}
