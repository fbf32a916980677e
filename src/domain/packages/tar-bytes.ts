// Reads exact byte counts from a stream of decompressed chunks, for the tar reader.
// Holds at most one source chunk plus what a caller asked for; must never read ahead further,
// so stopping at the end-of-archive marker leaves the rest of a gzip stream uninflated.

export class ByteQueue {
  readonly #source: AsyncIterator<Buffer>;
  #head: Buffer = Buffer.alloc(0);
  #done = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  /** `n` bytes; fewer only when the stream ends on the way, null when it ended before the first. */
  async take(n: number): Promise<Buffer | null> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const chunk = await this.takeUpTo(n - have);
      if (chunk === null) {
        if (have === 0) return null;
        break;
      }
      parts.push(chunk);
      have += chunk.length;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  /** Between 1 and `n` bytes, or null at the end of the stream. */
  async takeUpTo(n: number): Promise<Buffer | null> {
    while (this.#head.length === 0) {
      if (this.#done) return null;
      const next = await this.#source.next();
      if (next.done) {
        this.#done = true;
        return null;
      }
      this.#head = next.value;
    }
    const out = this.#head.subarray(0, n);
    this.#head = this.#head.subarray(out.length);
    return out;
  }
}
