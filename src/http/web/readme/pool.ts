// The README render pool: markdown is rendered in worker threads (worker.ts), never on the event
// loop, each task under a time limit that terminates its thread, behind a bounded queue. It must
// never let a task run past its limit nor let waiting tasks pile up without bound.
import { existsSync } from 'node:fs';
import { Piscina } from 'piscina';
import type { RenderTask } from './worker.js';

export interface RenderPoolOptions {
  threads: number;
  /** Tasks that may wait for a thread; one more is refused as busy. */
  queue: number;
  timeoutMs: number;
}

export type RenderResult =
  | { kind: 'rendered'; html: string }
  | { kind: 'timeout' }
  /** The renderer threw (marked exhausts its stack on deep nesting) or its thread died. */
  | { kind: 'failed' }
  /** Every thread is busy and the queue is full (or no thread starts): nothing was attempted. */
  | { kind: 'busy' };

/** dist/ holds the compiled worker.js; from the sources (vitest) a loader entry stands in. */
function workerFile(): URL {
  const compiled = new URL('./worker.js', import.meta.url);
  return existsSync(compiled) ? compiled : new URL('./source-worker.mjs', import.meta.url);
}

// A no-op task run before each timed one: a thread that is still starting (the first, or the one
// replacing a terminated thread) must not spend the next README's time limit on its start-up.
const WARM_UP: RenderTask = { markdown: '' };

export class RenderPool {
  private piscina: Piscina | undefined;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly threads: number;
  /** Renders started since this pool was made; what tests and benches observe. */
  started = 0;

  constructor(private readonly options: RenderPoolOptions) {
    this.threads = Math.max(1, Math.floor(options.threads));
  }

  async render(markdown: string): Promise<RenderResult> {
    if (!(await this.acquire())) return { kind: 'busy' };
    try {
      const pool = this.pool();
      // A thread that cannot start is the server's trouble, not this README's: nothing is kept.
      if (
        !(await pool.run(WARM_UP).then(
          () => true,
          () => false,
        ))
      )
        return { kind: 'busy' };
      this.started++;
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), this.options.timeoutMs);
      try {
        const html = (await pool.run({ markdown } satisfies RenderTask, { signal: abort.signal })) as string;
        return { kind: 'rendered', html };
      } catch {
        // Piscina terminates the thread of an aborted task and starts a fresh one.
        return abort.signal.aborted ? { kind: 'timeout' } : { kind: 'failed' };
      } finally {
        clearTimeout(timer);
      }
    } finally {
      this.release();
    }
  }

  async close(): Promise<void> {
    const pool = this.piscina;
    this.piscina = undefined;
    await pool?.destroy();
  }

  /** Threads start on first use: most registries, and most tests, never render a README. */
  private pool(): Piscina {
    this.piscina ??= new Piscina({
      filename: workerFile().href,
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: Infinity,
      // A render that balloons memory ends its own thread, not the server.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    return this.piscina;
  }

  private async acquire(): Promise<boolean> {
    if (this.running < this.threads) {
      this.running++;
      return true;
    }
    if (this.waiting.length >= this.options.queue) return false;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return true;
  }

  /** A waiting task takes the slot over directly, so a newcomer cannot overtake it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
