// C2SP tlog-tiles paths and contents. A hash tile at level L, index N holds the hashes at tree
// level 8·L of nodes N·256 … N·256+W−1; an entry bundle holds entries N·256 … N·256+W−1, each
// prefixed by its big-endian 16-bit length. Imports nothing from storage or http; the path is
// attacker-controlled, so only the exact canonical spelling is accepted.

export const TILE_WIDTH = 256;
export const TILE_HEIGHT = 8;

export interface TileId {
  /** A hash tile's level, or 'entries' for an entry bundle. */
  level: number | 'entries';
  index: number;
  /** 1…256; 256 is a full tile. */
  width: number;
}

/** N as tlog-tiles spells it: groups of three digits, all but the last prefixed by `x`. */
export function tileIndexPath(index: number): string {
  const digits = String(index);
  const padded = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups = padded.match(/.{3}/g)!;
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

export function tilePath(tile: TileId): string {
  const partial = tile.width < TILE_WIDTH ? `.p/${tile.width}` : '';
  return `tile/${tile.level}/${tileIndexPath(tile.index)}${partial}`;
}

/** The tile a path after `tile/` names, or undefined when it is not a canonical tile path. */
export function parseTilePath(rest: string): TileId | undefined {
  const match = /^(entries|[0-9]|[1-5][0-9]|6[0-3])\/((?:x[0-9]{3}\/)*)([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(rest);
  if (!match) return undefined;
  const [, level, prefix, last, width] = match as unknown as [string, string, string, string, string | undefined];
  const index = Number(`${prefix.replaceAll('x', '').replaceAll('/', '')}${last}`);
  if (!Number.isSafeInteger(index)) return undefined;
  const w = width === undefined ? TILE_WIDTH : Number(width);
  if (width !== undefined && w >= TILE_WIDTH) return undefined;
  const tile: TileId = { level: level === 'entries' ? 'entries' : Number(level), index, width: w };
  // Only the canonical spelling (no extra leading zero groups) names a tile.
  return `tile/${rest}` === tilePath(tile) ? tile : undefined;
}

/** An entry bundle: each entry as a 16-bit big-endian length and its bytes. */
export function entryBundle(entries: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(entry.length);
    parts.push(length, entry);
  }
  return Buffer.concat(parts);
}

/** The entries of a bundle; throws on a truncated one. */
export function readEntryBundle(bundle: Buffer): Buffer[] {
  const entries: Buffer[] = [];
  let at = 0;
  while (at < bundle.length) {
    if (at + 2 > bundle.length) throw new RangeError('a truncated entry bundle');
    const length = bundle.readUInt16BE(at);
    if (at + 2 + length > bundle.length) throw new RangeError('a truncated entry bundle');
    entries.push(bundle.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return entries;
}

/** Most bytes one entry may have: its length must fit the bundle's 16-bit prefix. */
export const MAX_ENTRY_BYTES = 0xffff;
