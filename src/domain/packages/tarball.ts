// Reads an uploaded npm tarball in memory, once, and offers every entry a client extracts to the
// inspectors (tarball-inspectors.ts: package.json, README, file count, scanners later).
// The bytes are attacker-controlled: never extract to disk, never hold the whole decompressed stream
// (one file's bytes at a time), never accept a path or link that could land outside the top folder
// when a client unpacks it, never run past the time budget, and offer exactly what a client keeps
// (the last of duplicate entries, as tar extraction does).

import { createGunzip } from 'node:zlib';
import { catalogError, fail, GatehouseError } from '../errors.js';
import { readTar, type TarEntry, type TarEntryType } from './tar-reader.js';
import { ambiguous } from './tar-text.js';
import type { InspectedEntry, InspectorFactory, TarballInspector } from './tarball-inspectors.js';
import { BUILT_IN, checkDeadline, InspectorFailure, offer, summarise, type Deadline } from './tarball-inspection.js';
import { checkLinks, entryPath, foldName, linkOf, quote, unsafe, type Link, type Segments } from './tarball-paths.js';

export interface TarballLimits {
  maxUnpackedBytes: number;
  maxFileCount: number;
  /** Path segments below the top folder: `package/lib/a.js` has depth 2. */
  maxPathDepth: number;
  maxPackageJsonBytes: number;
}

export interface TarballSummary {
  packageJson: Record<string, unknown>;
  /** Regular files a client extracts (the last of duplicates), as npm reports `dist.fileCount`. */
  fileCount: number;
  /** Sum of those files' sizes, as npm reports `dist.unpackedSize`. */
  unpackedSize: number;
  readme?: { filename: string; text: string };
  /** A top-level binding.gyp: npm runs `node-gyp rebuild` at install unless the package opts out. */
  hasBindingGyp: boolean;
  /** A top-level npm-shrinkwrap.json: what the packument's `_hasShrinkwrap` must say. */
  hasShrinkwrap: boolean;
  /** What each extra inspector's `finish` returned, by its name. */
  results: Map<string, unknown>;
}

export interface InspectOptions {
  /** Inspectors beyond the built-in ones (scanners); each is offered every entry. */
  inspectors?: readonly InspectorFactory[];
  /** The time budget for the whole inspection, in ms; refused with TarballInspectionTimeout past it. */
  budgetMs?: number;
  /** Milliseconds, for the time budget; tests pass a ManualClock's. */
  now?: () => number;
}

// Decompressed bytes allowed beyond file contents: each file's header, pax header and padding, plus slack.
const TAR_OVERHEAD_PER_FILE = 2048;
const TAR_OVERHEAD_SLACK = 1024 * 1024;
export const DEFAULT_INSPECT_BUDGET_MS = 30_000;

interface Seen {
  /** The exact path (below the top folder) first seen under this folded spelling. */
  key: string;
  type: TarEntryType;
  size: number;
}

/**
 * Which entries the inspectors are offered. A client keeps the last copy of a duplicated file,
 * and only that copy may be offered; it is known only at the end, so the first duplicate ends
 * offering (`headers`: the rest is only checked) and a second pass offers the last copies.
 */
type Offering = { mode: 'all' } | { mode: 'headers' } | { mode: 'last'; copies: Map<string, number> };

interface Scan {
  limits: TarballLimits;
  root?: string;
  fileCount: number;
  unpackedSize: number;
  /** Folded path → what a client ends up with there. */
  seen: Map<string, Seen>;
  /** Folded paths of every folder an entry implies. */
  folders: Set<string>;
  links: Link[];
  packageJson?: Buffer;
  offering: Offering;
  /** Folded path → how many copies of the file have been read so far. */
  copies: Map<string, number>;
  /** Folded paths of the folders already offered. */
  offeredFolders: Set<string>;
  deadline: Deadline;
}

export async function inspectTarball(tgz: Buffer, limits: TarballLimits, options: InspectOptions = {}): Promise<TarballSummary> {
  const now = options.now ?? Date.now;
  const budgetMs = options.budgetMs ?? DEFAULT_INSPECT_BUDGET_MS;
  const deadline: Deadline = { now, at: now() + budgetMs, budgetMs };
  const factories = [...BUILT_IN, ...(options.inspectors ?? [])];
  const first = await readOnce(tgz, limits, { mode: 'all' }, factories, deadline);
  if (first.offering.mode === 'all') return summarise(first.inspectors);
  // A duplicated file: offer again, to new inspectors, only the copies a client keeps.
  const second = await readOnce(tgz, limits, { mode: 'last', copies: first.copies }, factories, deadline);
  return summarise(second.inspectors);
}

async function readOnce(
  tgz: Buffer,
  limits: TarballLimits,
  offering: Offering,
  factories: readonly InspectorFactory[],
  deadline: Deadline,
): Promise<{ offering: Offering; copies: Map<string, number>; inspectors: TarballInspector[] }> {
  const scan: Scan = {
    limits,
    fileCount: 0,
    unpackedSize: 0,
    seen: new Map(),
    folders: new Set(),
    links: [],
    offering,
    copies: new Map(),
    offeredFolders: new Set(),
    deadline,
  };
  const inspectors = factories.map((create) => create());
  const gunzip = createGunzip();
  gunzip.end(tgz);
  try {
    // Leaving this loop destroys gunzip, so nothing past the end-of-archive marker is inflated.
    for await (const { entry, body } of readTar(budgeted(gunzip, limits, deadline), (e) => admit(e, scan))) {
      await keep(entry, body, scan, inspectors);
    }
  } catch (err) {
    if (err instanceof GatehouseError || err instanceof InspectorFailure) throw err;
    fail(
      'TarballNotGzip',
      'The upload is not a readable gzip-compressed tar archive. Create it with `npm pack` or `npm publish`.',
    );
  } finally {
    gunzip.destroy();
  }
  checkLinks(scan.links, scan.root ?? 'package');
  return { offering: scan.offering, copies: scan.copies, inspectors };
}

/**
 * Caps the decompressed stream itself, not just the sizes files declare: tar padding, headers and
 * trailing zero blocks cost no file size, and a few MB of gzip can expand them into gigabytes.
 * Also where the time budget is checked between entries' bytes.
 */
async function* budgeted(source: AsyncIterable<Buffer>, limits: TarballLimits, deadline: Deadline): AsyncGenerator<Buffer> {
  const budget = limits.maxUnpackedBytes + limits.maxFileCount * TAR_OVERHEAD_PER_FILE + TAR_OVERHEAD_SLACK;
  let seen = 0;
  for await (const chunk of source) {
    seen += chunk.length;
    if (seen > budget) throw tooLarge(limits);
    checkDeadline(deadline);
    yield chunk;
  }
}

function tooLarge(limits: TarballLimits): GatehouseError {
  return catalogError(
    'TarballTooLarge',
    `The tarball unpacks to more than ${formatBytes(limits.maxUnpackedBytes)}, the limit here. ` +
      'Leave build output, tests and assets out of the package (the "files" field or .npmignore) and publish again.',
  );
}

/** Checks an entry from its header alone and says how many body bytes to keep. */
function admit(entry: TarEntry, scan: Scan): number {
  const path = entryPath(entry.path, scan.root, scan.limits);
  scan.root ??= path[0];
  if (path.length < 2) {
    if (entry.type !== 'directory') unsafe(`${quote(entry.path)} must be a folder, not a file.`);
    return 0;
  }
  switch (entry.type) {
    case 'file':
      remember(scan, path, entry);
      return wantedBytes(scan, path, entry.size);
    case 'directory':
      remember(scan, path, entry);
      return 0;
    case 'symlink':
    case 'link':
      // Not counted as files (npm's dist.fileCount doesn't either); the decompressed budget bounds them.
      remember(scan, path, entry);
      scan.links.push(linkOf(entry, path));
      return 0;
    default:
      // Devices and fifos are never packed by npm; creating one on a client is a foothold.
      unsafe(`${quote(entry.path)} is a ${entry.type} entry; a package may hold only files, directories and links.`);
  }
}

/**
 * Records what a client ends up with at `path`. A later regular file replaces an earlier one, as
 * tar extraction does, so only the last counts. Anything else that would make two entries land
 * in one place is refused, spellings that only a case-insensitive disk merges included.
 */
function remember(scan: Scan, path: Segments, entry: TarEntry): void {
  const key = path.slice(1).join('/');
  const folded = foldName(key);
  for (let depth = 1; depth < path.length - 1; depth++) {
    const folder = foldName(path.slice(1, depth + 1).join('/'));
    const there = scan.seen.get(folder);
    // A file under a link is written through the link; a file under a file replaces it.
    if (there && there.type !== 'directory') unsafe(`${quote(entry.path)} is inside ${quote(there.key)}, which is not a folder.`);
    scan.folders.add(folder);
  }
  if (entry.type !== 'directory' && scan.folders.has(folded)) unsafe(`${quote(entry.path)} is also a folder in the tarball.`);
  const earlier = scan.seen.get(folded);
  if (earlier) {
    if (earlier.key !== key) {
      ambiguous(`${quote(key)} and ${quote(earlier.key)} are the same file on a case-insensitive disk.`);
    }
    if (earlier.type !== entry.type || (entry.type !== 'file' && entry.type !== 'directory')) {
      unsafe(`${quote(key)} appears more than once in the tarball, as different kinds of entry.`);
    }
  }
  if (entry.type === 'file') {
    countFile(scan, earlier?.size, entry.size);
    scan.copies.set(folded, (scan.copies.get(folded) ?? 0) + 1);
    // The copies offered so far may not be the ones a client keeps: offer no more in this pass.
    if (earlier && scan.offering.mode === 'all') scan.offering = { mode: 'headers' };
  }
  scan.seen.set(folded, { key, type: entry.type, size: entry.size });
}

function countFile(scan: Scan, replaced: number | undefined, size: number): void {
  if (replaced === undefined) scan.fileCount += 1;
  scan.unpackedSize += size - (replaced ?? 0);
  if (scan.fileCount > scan.limits.maxFileCount) {
    fail(
      'TarballTooManyFiles',
      `The tarball holds more than ${scan.limits.maxFileCount} files, the limit here. ` +
        'List only what the package needs in the "files" field of package.json and publish again.',
    );
  }
  // The header declares the size before any body byte is decompressed, so a bomb stops here.
  if (scan.unpackedSize > scan.limits.maxUnpackedBytes) throw tooLarge(scan.limits);
}

function wantedBytes(scan: Scan, path: Segments, size: number): number {
  const name = path.slice(1).join('/');
  if (name === 'package.json') {
    if (size > scan.limits.maxPackageJsonBytes) {
      fail(
        'TarballBadPackageJson',
        `package.json is larger than ${formatBytes(scan.limits.maxPackageJsonBytes)}, the limit here. ` +
          'Move bulky data out of package.json and publish again.',
      );
    }
    return size;
  }
  // One file's bytes at a time, each at most maxUnpackedBytes: what the inspectors are offered.
  return offered(scan, foldName(name)) ? size : 0;
}

/** Whether the entry just remembered under `folded` goes to the inspectors. */
function offered(scan: Scan, folded: string): boolean {
  const { offering } = scan;
  // Only files repeat (remember refuses any other repeat but folders, offered once).
  if (offering.mode === 'all') return true;
  if (offering.mode === 'headers') return false;
  const copies = offering.copies.get(folded);
  return copies === undefined || copies === scan.copies.get(folded);
}

/** Checks package.json copies agree, then offers the entry to every inspector. */
async function keep(entry: TarEntry, body: Buffer, scan: Scan, inspectors: TarballInspector[]): Promise<void> {
  checkDeadline(scan.deadline);
  const path = entryPath(entry.path, scan.root, scan.limits);
  if (path.length < 2) return;
  const name = path.slice(1).join('/');
  const folded = foldName(name);
  if (entry.type === 'file' && name === 'package.json') {
    // Two different package.json files: which one a client reads depends on its tar parser.
    if (scan.packageJson && !scan.packageJson.equals(body)) ambiguous('package.json appears twice with different contents.');
    scan.packageJson = body;
  }
  if (!offered(scan, folded)) return;
  if (entry.type !== 'file') {
    // A folder named twice is one folder on disk: offered once (links never repeat: remember refuses).
    if (scan.offeredFolders.has(folded)) return;
    scan.offeredFolders.add(folded);
  }
  const inspected: InspectedEntry = {
    path: name,
    type: entry.type as InspectedEntry['type'],
    size: entry.type === 'file' ? entry.size : 0,
  };
  const bytes = entry.type === 'file' ? body : EMPTY;
  for (const inspector of inspectors) await offer(inspector, inspected, bytes, scan.deadline);
}

const EMPTY = Buffer.alloc(0);

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
