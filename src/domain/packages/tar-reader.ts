// A strict streaming reader of the tar block format (ustar, POSIX pax `x`, GNU `L`/`K`), so the
// registry sees exactly the entries npm's node-tar, tar-stream and pnpm extract. The clients are
// lenient in different ways; this reader must never guess: any form two of them read differently
// is refused, and it stops at the end-of-archive marker instead of inflating what follows.

import { fail } from '../errors.js';
import { ByteQueue } from './tar-bytes.js';
import { parsePax, type PaxRecords } from './tar-pax.js';
import { ambiguous, show, text } from './tar-text.js';

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';

export interface TarEntry {
  /** The full path in the archive, top folder included, after pax / GNU long names. */
  path: string;
  type: TarEntryType;
  size: number;
  /** Link target for links, '' otherwise. */
  linkname: string;
  /** Permission bits (the pax `mode` or the header's), for clients that unpack: npm keeps the execute bits. */
  mode: number;
}

export interface TarRead {
  entry: TarEntry;
  /** The first `wanted(entry)` bytes of the body. */
  body: Buffer;
}

const BLOCK = 512;
// Extension headers hold a path or two; more is an attempt to make us buffer.
const MAX_META_BYTES = 64 * 1024;
// After its two zero blocks npm pack writes nothing; git archive and GNU tar pad to a 10 KiB
// record (busboy@1.6.0 has 5 more zero blocks). 64 KiB covers a blocking factor up to 128.
export const MAX_TRAILING_ZEROS = 64 * 1024;

const TYPES: Record<string, TarEntryType | 'pax' | 'global' | 'long-path' | 'long-link'> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'link',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
  x: 'pax',
  g: 'global',
  L: 'long-path',
  K: 'long-link',
};

// Keys of a pax header that change nothing a client extracts, or whose meaning both parsers share.
const PAX_KEYS = new Set([
  'path',
  'linkpath',
  'size',
  'mtime',
  'atime',
  'ctime',
  'uid',
  'gid',
  'uname',
  'gname',
  'mode',
  'comment',
]);

interface Pending {
  pax?: PaxRecords;
  longPath?: string;
  longLink?: string;
}

/**
 * Yields each entry of the decompressed `source` with the first `wanted(entry)` bytes of its body.
 * `wanted` runs before any body byte is read, so a check it throws stops a bomb at its header.
 */
export async function* readTar(source: AsyncIterable<Buffer>, wanted: (entry: TarEntry) => number): AsyncGenerator<TarRead> {
  const bytes = new ByteQueue(source);
  let pending: Pending = {};
  for (;;) {
    const block = await bytes.take(BLOCK);
    if (block === null) break; // no end marker: both node-tar and tar-stream accept that
    if (isZero(block)) {
      // A short all-zero tail ends the archive as a marker would; a short header is a cut-off archive.
      await endOfArchive(bytes, pending);
      return;
    }
    if (block.length < BLOCK) truncated();
    const header = decodeHeader(block);
    const kind = TYPES[header.flag];
    if (kind === undefined)
      ambiguous(`The entry ${show(roughName(header))} has tar type ${show(header.flag)}, which npm never writes.`);
    if (kind === 'pax' || kind === 'global' || kind === 'long-path' || kind === 'long-link') {
      pending = await readMeta(bytes, header, kind, pending);
      continue;
    }
    const entry = resolveEntry(header, kind, pending);
    pending = {};
    const body = await readBody(bytes, entry.size, wanted(entry));
    yield { entry, body };
  }
  if (hasPending(pending)) truncated();
}

interface RawHeader {
  block: Buffer;
  posix: boolean;
  flag: string;
  size: number;
}

function decodeHeader(block: Buffer): RawHeader {
  verifyChecksum(block);
  const magic = block.toString('latin1', 257, 265);
  const posix = magic === 'ustar\u000000';
  if (!posix && magic !== 'ustar  \0') {
    ambiguous('The archive uses a tar format npm never writes (no ustar magic). Create it with `npm pack`.');
  }
  return { block, posix, flag: String.fromCharCode(block[156] as number), size: octal(block, 124, 12, 'size') };
}

/** For messages only: the name field, decoded leniently. */
function roughName(header: RawHeader): string {
  return header.block.toString('utf8', 0, 100).replace(/\0[^]*$/, '');
}

/**
 * The name and link fields are decoded only when no extended header replaces them: every parser
 * ignores a replaced field, and writers put a lossy copy there (package-builder, GNU tar).
 */
function headerPath(header: RawHeader): string {
  const name = field(header.block, 0, 100, 'name');
  const prefix = header.posix ? prefixField(header.block) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

/**
 * Only POSIX ustar has a prefix; in GNU headers those bytes are times and offsets. node-tar writes
 * the star layout (a 130-byte prefix, then atime and ctime) and reads 155 bytes only when byte 475
 * is set; tar-stream and pnpm stop at the first NUL, which agrees whenever the field is clean.
 */
function prefixField(block: Buffer): string {
  return field(block, 345, block[475] === 0 ? 130 : 155, 'name prefix');
}

function verifyChecksum(block: Buffer): void {
  const stored = octal(block, 148, 8, 'checksum');
  let sum = 8 * 0x20; // the checksum field itself counts as spaces
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i] as number;
  // node-tar accepts only this unsigned sum; an entry it skips as invalid would be one we counted.
  if (sum !== stored) corrupt('a header checksum is wrong');
}

/**
 * A NUL-terminated text field. Bytes after the NUL must be NULs too: node-tar's cut (/\0.*\/)
 * stops at a newline and keeps what follows, tar-stream cuts at the NUL.
 */
function field(block: Buffer, offset: number, length: number, what: string): string {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  if (end !== -1 && raw.subarray(end).some((b) => b !== 0)) ambiguous(`A header's ${what} field has bytes hidden after its end.`);
  return text(raw.subarray(0, end === -1 ? length : end), what);
}

/** Octal digits, optionally space-padded in front, ended by NULs or spaces: the form every parser reads alike. */
function octal(block: Buffer, offset: number, length: number, what: string): number {
  const raw = block.toString('latin1', offset, offset + length);
  // A leading 0x80 byte is base-256, used only above 8 GiB, far beyond any limit here.
  const match = /^ *([0-7]+)[ \0]*$/.exec(raw);
  if (!match) corrupt(`a header's ${what} field is not an octal number`);
  return parseInt(match[1] as string, 8);
}

async function readMeta(bytes: ByteQueue, header: RawHeader, kind: string, pending: Pending): Promise<Pending> {
  if (header.size > MAX_META_BYTES) ambiguous(`An extended header holds ${header.size} bytes; npm writes at most a few hundred.`);
  const body = await readBody(bytes, header.size, header.size);
  if (kind === 'global') {
    // git archive writes one with only a `comment` (the commit); anything else would apply to every
    // entry, and node-tar and tar-stream apply a global path differently.
    if (hasPending(pending)) ambiguous('A global pax header sits between an extended header and its entry.');
    const records = parsePax(body, 'global');
    if (Object.keys(records).some((key) => key !== 'comment'))
      ambiguous('The archive has a global pax header that sets entry fields.');
    return pending;
  }
  // node-tar merges consecutive extended headers, tar-stream keeps the last; GNU and pax names
  // for one entry are taken in opposite orders. One of each kind, never both families.
  const gnu = pending.longPath !== undefined || pending.longLink !== undefined;
  if (kind === 'pax') {
    if (pending.pax || gnu) ambiguous('An entry has more than one extended header (pax and GNU long names, or two pax headers).');
    const pax = parsePax(body, 'extended');
    for (const key of Object.keys(pax)) {
      if (!PAX_KEYS.has(key) && !isVendorKey(key)) ambiguous(`A pax header sets ${show(key)}, which npm never writes.`);
    }
    return { pax };
  }
  if (pending.pax) ambiguous('An entry has both a pax header and a GNU long name.');
  const name = longName(body);
  if (kind === 'long-path') {
    if (pending.longPath !== undefined) ambiguous('An entry has two GNU long names.');
    return { ...pending, longPath: name };
  }
  if (pending.longLink !== undefined) ambiguous('An entry has two GNU long link targets.');
  return { ...pending, longLink: name };
}

// SCHILY.*, LIBARCHIVE.* and the like (file flags, xattrs) change nothing npm extracts; sparse files would.
function isVendorKey(key: string): boolean {
  return /^[A-Z][A-Z0-9]*\.[^=]+$/.test(key) && !key.startsWith('GNU.');
}

function longName(body: Buffer): string {
  const end = body.indexOf(0);
  if (end !== -1 && body.subarray(end).some((b) => b !== 0)) ambiguous('A GNU long name has bytes hidden after its end.');
  return text(body.subarray(0, end === -1 ? body.length : end), 'long name');
}

function resolveEntry(header: RawHeader, type: TarEntryType, pending: Pending): TarEntry {
  // pnpm stops reading at a header whose first byte is NUL, even when a pax name follows for it.
  if (header.block[0] === 0) ambiguous('An entry has an empty name field.');
  const path = pending.pax?.path ?? pending.longPath ?? headerPath(header);
  const linkname = pending.pax?.linkpath ?? pending.longLink ?? field(header.block, 157, 100, 'link target');
  const paxSize = pending.pax?.size;
  if (paxSize !== undefined && paxSize !== String(header.size))
    ambiguous(`The entry ${show(path)} declares two different sizes.`);
  if (path === '') ambiguous('An entry has an empty name.');
  // pnpm keeps the "/" of "package//x" ("/x"), node-tar drops it; npm never writes an empty segment.
  if (path.replace(/\/$/, '').split('/').slice(1).includes('')) ambiguous(`The entry ${show(path)} has an empty path segment.`);
  // node-tar reads a file named "x/" as a directory with no body; tar-stream reads its body.
  if (type === 'file' && path.endsWith('/')) ambiguous(`The file entry ${show(path)} is named like a folder.`);
  // node-tar and tar-stream give directories no body (so a body is read as headers), pnpm skips it;
  // node-tar skips links without targets and other entries with one. Only empty ones read alike.
  if (type !== 'file' && header.size !== 0) ambiguous(`The ${type} entry ${show(path)} has a body.`);
  const isLink = type === 'link' || type === 'symlink';
  if (!isLink && linkname !== '') ambiguous(`The ${type} entry ${show(path)} has a link target.`);
  return { path, type, size: header.size, linkname, mode: modeOf(header.block, pending.pax?.mode) };
}

/**
 * Read leniently: the mode changes no path a client writes, so a form the clients disagree on is
 * not a refusal here; unreadable bits count as 0o644, what npm pack writes for a file.
 */
function modeOf(block: Buffer, pax: string | undefined): number {
  const raw = pax ?? block.toString('latin1', 100, 108);
  const match = /^ *([0-7]+)[ \0]*$/.exec(raw);
  return match ? parseInt(match[1] as string, 8) & 0o7777 : 0o644;
}

async function readBody(bytes: ByteQueue, size: number, keep: number): Promise<Buffer> {
  // Filled in place: one copy of a kept body, not its chunks and then their concatenation.
  // Every byte is written before it is returned (a short body is truncated() instead).
  const kept = Buffer.allocUnsafe(Math.min(keep, size));
  const total = size + padding(size);
  let consumed = 0;
  while (consumed < total) {
    const chunk = await bytes.takeUpTo(total - consumed);
    if (chunk === null) truncated();
    const wanted = kept.length - consumed; // the padding after the body is never kept
    if (wanted > 0) chunk.copy(kept, consumed, 0, Math.min(wanted, chunk.length));
    consumed += chunk.length;
  }
  return kept;
}

/** After a zero block: a second one, then nothing but a little zero padding. */
async function endOfArchive(bytes: ByteQueue, pending: Pending): Promise<void> {
  if (hasPending(pending)) ambiguous('An extended header is followed by the end of the archive instead of its entry.');
  const second = await bytes.take(BLOCK);
  if (second === null) return;
  // node-tar skips a lone zero block and reads on; other readers stop there.
  if (!isZero(second)) ambiguous('The archive has a single zero block followed by more entries.');
  let trailing = 0;
  for (;;) {
    const chunk = await bytes.takeUpTo(MAX_TRAILING_ZEROS + 1 - trailing);
    if (chunk === null) return;
    trailing += chunk.length;
    // node-tar ignores everything after the marker; tar-stream and others keep reading entries.
    if (!isZero(chunk) || trailing > MAX_TRAILING_ZEROS) {
      ambiguous('The archive has data after its end-of-archive marker. Create it with `npm pack`.');
    }
  }
}

function hasPending(pending: Pending): boolean {
  return pending.pax !== undefined || pending.longPath !== undefined || pending.longLink !== undefined;
}

function isZero(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function corrupt(what: string): never {
  fail('TarballNotGzip', `The upload is not a readable tar archive: ${what}. Create it with \`npm pack\`.`);
}

function truncated(): never {
  corrupt('it ends in the middle of an entry');
}
