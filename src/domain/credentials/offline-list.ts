// The bundled list of common breached passwords (data/pwned-passwords/, Pwned Passwords' own
// `SHA1:COUNT` format), answering range questions as HIBP would, offline. It is the default
// screen and the fallback when the HIBP API does not answer. Holds hashes only.
import type { RangeSource } from './screen.js';
import { RANGE_PREFIX } from './pwned-range.js';

const HASH_LINE = /^[0-9A-F]{40}:\d+$/;

export class OfflinePwnedPasswords implements RangeSource {
  readonly name = 'bundled list';
  /** Upper-case hashes sorted, each line `HASH:COUNT`: a range is one binary search and a short scan. */
  private readonly lines: string[];

  /** `text` is a Pwned Passwords file: one `SHA1:COUNT` line per password, any order, any case. */
  constructor(text: string) {
    const lines: string[] = [];
    for (const raw of text.split('\n')) {
      const line = raw.trim().toUpperCase();
      if (line === '') continue;
      if (!HASH_LINE.test(line)) throw new Error(`Not a Pwned Passwords line: "${line.slice(0, 60)}"`);
      lines.push(line);
    }
    this.lines = lines.sort();
  }

  get size(): number {
    return this.lines.length;
  }

  async range(prefix: string): Promise<string> {
    if (!RANGE_PREFIX.test(prefix)) return '';
    let low = 0;
    let high = this.lines.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.lines[mid]! < prefix) low = mid + 1;
      else high = mid;
    }
    const found: string[] = [];
    for (let i = low; i < this.lines.length && this.lines[i]!.startsWith(prefix); i++) found.push(this.lines[i]!.slice(5));
    return found.join('\n');
  }
}
