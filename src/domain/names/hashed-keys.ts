// A compact multimap from string keys to small integer ids, for indexes of a million keys: each
// key is kept only as a 32-bit hash packed with its id into one sorted Float64Array, so the index
// costs 8 bytes a key and no objects for the collector to trace. A hash collision can only add
// candidates, never lose one: every caller verifies what it finds against the real strings.

/** Ids must fit in 20 bits: a million names, ten times the largest list we measure. */
const ID_BITS = 2 ** 20;

export class HashedKeys {
  private pending: number[] = [];
  private packed = new Float64Array(0);

  add(key: string, id: number): void {
    if (id >= ID_BITS) throw new Error('gatehouse: too many names for the name index');
    this.pending.push(hashOf(key) * ID_BITS + id);
  }

  /** Sorts what was added; call once after the last add and before the first find. */
  freeze(): void {
    const all = new Float64Array(this.packed.length + this.pending.length);
    all.set(this.packed);
    all.set(this.pending, this.packed.length);
    all.sort();
    this.packed = all;
    this.pending = [];
  }

  /** The ids added under `key` (and perhaps under a key with the same hash). */
  find(key: string, into: number[] = []): number[] {
    const low = hashOf(key) * ID_BITS;
    let lo = 0;
    let hi = this.packed.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.packed[mid]! < low) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.packed.length && this.packed[i]! < low + ID_BITS; i++) into.push(this.packed[i]! - low);
    return into;
  }
}

/** FNV-1a over UTF-16 code units, as an unsigned 32-bit number. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
