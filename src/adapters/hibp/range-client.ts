// Have I Been Pwned's Pwned Passwords range API (https://haveibeenpwned.com/API/v3#PwnedPasswords):
// GET {base}/range/{5 hex} with `Add-Padding: true`, so that neither the request nor the answer's
// size tells an eavesdropper which password was checked. Sends only the prefix; errors name the
// failure, never the URL (which holds the prefix).
import type { RangeSource } from '../../domain/credentials/screen.js';
import { RANGE_PREFIX } from '../../domain/credentials/pwned-range.js';

export interface HibpRangeClientOptions {
  /** e.g. https://api.pwnedpasswords.com; a trailing slash is ignored. */
  baseUrl: string;
  /** Longest wait for the whole answer, in ms: a login waits for it. */
  timeoutMs: number;
  /** HIBP refuses requests without a User-Agent. */
  userAgent?: string;
}

/** A range answer is about 30 KB padded; anything far larger is not one. */
const MAX_ANSWER_BYTES = 1024 * 1024;

export class HibpRangeClient implements RangeSource {
  readonly name = 'HIBP range API';
  private readonly base: string;

  constructor(private readonly opts: HibpRangeClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
  }

  async range(prefix: string): Promise<string> {
    if (!RANGE_PREFIX.test(prefix)) throw new Error('not a range prefix');
    let response: Response;
    try {
      response = await fetch(`${this.base}/range/${prefix}`, {
        headers: { 'add-padding': 'true', 'user-agent': this.opts.userAgent ?? 'gatehouse-registry' },
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      throw new Error(describe(err, this.opts.timeoutMs));
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`answered HTTP ${response.status}`);
    }
    try {
      const body = await response.text();
      if (Buffer.byteLength(body) > MAX_ANSWER_BYTES) throw new Error('answer too large');
      return body;
    } catch (err) {
      throw new Error(describe(err, this.opts.timeoutMs));
    }
  }
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (e.message === 'answer too large') return e.message;
  return `unreachable (${e.cause?.code ?? e.name})`;
}
