// The secret scanning partner program's public keys, fetched from the configured URL (GitHub's
// is https://api.github.com/meta/public_keys/secret_scanning) and kept for a while. A report signed
// by a key id not in the kept list fetches again, but at most once a minute, so unsigned junk cannot
// make us hammer the key server. Fails closed: no list, no report accepted.
import type { Clock } from '../../domain/clock.js';
import type { ScanningKeySource } from '../../domain/secret-scanning/service.js';
import { parseKeyList, type ScanningKey } from '../../domain/secret-scanning/report.js';
import { fail } from '../../domain/errors.js';

export interface ScanningKeysOptions {
  url: string;
  /** How long a fetched list is used, in ms. */
  cacheMs: number;
  timeoutMs: number;
  clock: Clock;
}

const MIN_REFRESH_MS = 60_000;
const MAX_LIST_BYTES = 256 * 1024;

export class GithubScanningKeys implements ScanningKeySource {
  private kept: { keys: ScanningKey[]; at: number } | undefined;

  constructor(private readonly opts: ScanningKeysOptions) {}

  async keys(opts: { refresh?: boolean } = {}): Promise<ScanningKey[]> {
    const now = this.opts.clock.now();
    const age = this.kept ? now - this.kept.at : Infinity;
    if (this.kept && age < this.opts.cacheMs && !(opts.refresh && age >= MIN_REFRESH_MS)) return this.kept.keys;
    const keys = await this.fetchList();
    this.kept = { keys, at: now };
    return keys;
  }

  private async fetchList(): Promise<ScanningKey[]> {
    try {
      const response = await fetch(this.opts.url, {
        headers: { accept: 'application/json', 'user-agent': 'gatehouse-registry' },
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        redirect: 'error',
      });
      if (response.status !== 200) throw new Error(`answered HTTP ${response.status}`);
      const text = await response.text();
      if (Buffer.byteLength(text) > MAX_LIST_BYTES) throw new Error('the key list is too large');
      return parseKeyList(JSON.parse(text));
    } catch (err) {
      fail(
        'ReportKeysUnavailable',
        `The secret-scanning key list could not be read (${(err as Error).message}); nothing was revoked.`,
      );
    }
  }
}
