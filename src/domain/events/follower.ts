// Follows the event sequence so this instance drops cached answers that another instance's
// change made stale. In a single process it only re-confirms what local invalidation did.
import type { EventStore, RegistryEvent } from './store.js';

export class EventFollower {
  private last = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly events: EventStore,
    private readonly apply: (event: RegistryEvent) => void,
    private readonly intervalMs: number,
  ) {}

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
    for (;;) {
      const batch = await this.events.since(this.last, 500);
      for (const event of batch) {
        this.apply(event);
        this.last = event.seq;
      }
      if (batch.length < 500) return;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
