// Inspects an uploaded npm tarball in memory: its package.json, README, file count and unpacked size.
// The bytes are attacker-controlled: never extract to disk, never hold the whole decompressed stream,
// never accept a path or link that could land outside the top folder when a client unpacks it, and
// inspect exactly what a client keeps (the last of duplicate entries, as tar extraction does).

import { createGunzip } from 'node:zlib';
import { catalogError, fail, GatehouseError } from '../errors.js';
import { readTar, type TarEntry, type TarEntryType } from './tar-reader.js';
import { ambiguous } from './tar-text.js';
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
}

const MAX_README_BYTES = 1024 * 1024;
// Decompressed bytes allowed beyond file contents: each file's header, pax header and padding, plus slack.
const TAR_OVERHEAD_PER_FILE = 2048;
const TAR_OVERHEAD_SLACK = 1024 * 1024;

interface Seen {
  /** The exact path (below the top folder) first seen under this folded spelling. */
  key: string;
  type: TarEntryType;
  size: number;
}

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
  readmes: { filename: string; body: Buffer }[];
}

export async function inspectTarball(tgz: Buffer, limits: TarballLimits): Promise<TarballSummary> {
  const scan: Scan = { limits, fileCount: 0, unpackedSize: 0, seen: new Map(), folders: new Set(), links: [], readmes: [] };
  const gunzip = createGunzip();
  gunzip.end(tgz);
  try {
    // Leaving this loop destroys gunzip, so nothing past the end-of-archive marker is inflated.
    for await (const { entry, body } of readTar(budgeted(gunzip, limits), (e) => admit(e, scan))) {
      keep(entry, body, scan);
    }
  } catch (err) {
    if (err instanceof GatehouseError) throw err;
    fail(
      'TarballNotGzip',
      'The upload is not a readable gzip-compressed tar archive. Create it with `npm pack` or `npm publish`.',
    );
  } finally {
    gunzip.destroy();
  }
  checkLinks(scan.links, scan.root ?? 'package');
  return summarise(scan);
}

/**
 * Caps the decompressed stream itself, not just the sizes files declare: tar padding, headers and
 * trailing zero blocks cost no file size, and a few MB of gzip can expand them into gigabytes.
 */
async function* budgeted(source: AsyncIterable<Buffer>, limits: TarballLimits): AsyncGenerator<Buffer> {
  const budget = limits.maxUnpackedBytes + limits.maxFileCount * TAR_OVERHEAD_PER_FILE + TAR_OVERHEAD_SLACK;
  let seen = 0;
  for await (const chunk of source) {
    seen += chunk.length;
    if (seen > budget) throw tooLarge(limits);
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
  if (entry.type === 'file') countFile(scan, earlier?.size, entry.size);
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
  return path.length === 2 && wantReadme(scan, name) ? MAX_README_BYTES : 0;
}

/** Files at the top of the package whose bodies the summary needs; everything else is skipped. */
function keep(entry: TarEntry, body: Buffer, scan: Scan): void {
  if (entry.type !== 'file') return;
  const name = entryPath(entry.path, scan.root, scan.limits).slice(1).join('/');
  if (name === 'package.json') {
    // Two different package.json files: which one a client reads depends on its tar parser.
    if (scan.packageJson && !scan.packageJson.equals(body)) ambiguous('package.json appears twice with different contents.');
    scan.packageJson = body;
    return;
  }
  if (!wantReadme(scan, name)) return;
  const same = scan.readmes.find((r) => r.filename === name);
  if (same)
    same.body = body; // a duplicate README: the client keeps the last
  else scan.readmes.push({ filename: name, body });
}

/** Keeps the first README* and the first README.md (by name), so at most two are held in memory. */
function wantReadme(scan: Scan, name: string): boolean {
  if (name.includes('/') || !/^readme(\..*)?$/i.test(name)) return false;
  if (scan.readmes.some((r) => r.filename === name)) return true;
  return scan.readmes.length === 0 || (isReadmeMd(name) && !scan.readmes.some((r) => isReadmeMd(r.filename)));
}

function isReadmeMd(name: string): boolean {
  return name.toLowerCase() === 'readme.md';
}

function summarise(scan: Scan): TarballSummary {
  if (scan.packageJson === undefined) {
    fail(
      'TarballMissingPackageJson',
      'The tarball has no package.json in its top folder. Create it with `npm pack` and publish again.',
    );
  }
  const summary: TarballSummary = {
    packageJson: parsePackageJson(scan.packageJson),
    fileCount: scan.fileCount,
    unpackedSize: scan.unpackedSize,
    hasBindingGyp: isFileAt(scan, 'binding.gyp'),
    hasShrinkwrap: isFileAt(scan, 'npm-shrinkwrap.json'),
  };
  const readme = scan.readmes.find((r) => isReadmeMd(r.filename)) ?? scan.readmes[0];
  if (readme) summary.readme = { filename: readme.filename, text: decodeUtf8Prefix(readme.body) };
  return summary;
}

function parsePackageJson(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    // npm strips a UTF-8 byte order mark before parsing, so a BOM is not an error.
    parsed = JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail('TarballBadPackageJson', 'package.json is not a JSON object. Fix its syntax (try `npm pkg get`) and publish again.');
  }
  return parsed as Record<string, unknown>;
}

/** Decodes a README cut at a byte cap without leaving half a character at the end. */
function decodeUtf8Prefix(body: Buffer): string {
  return new TextDecoder('utf-8').decode(body, { stream: true });
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

// Matched loosely: on a case-insensitive disk npm's stat of binding.gyp finds BINDING.GYP too
// (and npm-shrinkwrap.json likewise).
function isFileAt(scan: Scan, key: string): boolean {
  return scan.seen.get(foldName(key))?.type === 'file';
}
