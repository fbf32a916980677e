// Bounds how many password hashes run at once in this process. Each is a 16 MiB scrypt holding
// one of libuv's four threads, which file reads (tarballs) share: unbounded, six guesses raised
// tarball reads from 3 ms to 700 ms. A few callers wait their turn; the rest are refused at once
// with 429 and Retry-After, so nothing queues without limit. Never sees an account or a password.
import { fail } from '../errors.js';

/** Seconds a refused client is told to wait: about the time the waiting line takes to clear. */
const RETRY_AFTER_SECONDS = 2;

export class PasswordGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly concurrency: number;
  private readonly queueLength: number;

  constructor(concurrency: number) {
    this.concurrency = Math.max(1, Math.floor(concurrency));
    this.queueLength = this.concurrency * 2;
  }

  /** Runs `work` (one hash) when a slot is free; throws PasswordChecksBusy when the line is full. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) {
      this.running++;
    } else {
      if (this.waiting.length >= this.queueLength) {
        fail('PasswordChecksBusy', 'Too many sign-ins are being checked right now. Try again in a few seconds.', {
          'retry-after': String(RETRY_AFTER_SECONDS),
        });
      }
      // The releasing caller hands its slot straight over, so `running` stays as it is.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
