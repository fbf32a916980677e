// Inspects an uploaded npm tarball in memory: its package.json, README, file count and unpacked size.
// The bytes are attacker-controlled: never extract to disk, never hold the whole decompressed stream,
// and never accept a path or link that could land outside `package/` when a client unpacks it.

import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Entry, type Headers } from 'tar-stream';
import { catalogError, fail, GatehouseError } from '../errors.js';
import { checkLinks, entryPath, linkOf, quote, unsafe, type Link, type Segments } from './tarball-paths.js';

export interface TarballLimits {
  maxUnpackedBytes: number;
  maxFileCount: number;
  /** Path segments below `package/`: `package/lib/a.js` has depth 2. */
  maxPathDepth: number;
  maxPackageJsonBytes: number;
}

export interface TarballSummary {
  packageJson: Record<string, unknown>;
  /** Regular files only, as npm reports `dist.fileCount`. */
  fileCount: number;
  /** Sum of regular file sizes, as npm reports `dist.unpackedSize`. */
  unpackedSize: number;
  readme?: { filename: string; text: string };
}

const MAX_README_BYTES = 1024 * 1024;
// Decompressed bytes allowed beyond file contents: each file's header, pax header and padding, plus slack.
const TAR_OVERHEAD_PER_FILE = 2048;
const TAR_OVERHEAD_SLACK = 1024 * 1024;

interface Scan {
  limits: TarballLimits;
  fileCount: number;
  unpackedSize: number;
  seen: Map<string, Headers['type']>;
  links: Link[];
  packageJson?: Buffer;
  readmes: { filename: string; body: Buffer }[];
}

export async function inspectTarball(tgz: Buffer, limits: TarballLimits): Promise<TarballSummary> {
  const scan: Scan = { limits, fileCount: 0, unpackedSize: 0, seen: new Map(), links: [], readmes: [] };
  const tar = extract();
  // Errors from gunzip or the budget destroy `tar` too, so they surface in the loop below.
  const piped = pipeline(Readable.from([tgz]), createGunzip(), decompressedBudget(limits), tar).then(
    () => undefined,
    (err: unknown) => err,
  );
  try {
    for await (const entry of tar) await inspectEntry(entry, scan);
    const pipeError = await piped;
    if (pipeError) throw pipeError;
  } catch (err) {
    if (err instanceof GatehouseError) throw err;
    fail(
      'TarballNotGzip',
      'The upload is not a readable gzip-compressed tar archive. Create it with `npm pack` or `npm publish`.',
    );
  }
  checkLinks(scan.links);
  return summarise(scan);
}

/**
 * Caps the decompressed stream itself, not just the sizes files declare: tar padding, headers and
 * trailing zero blocks cost no file size, and a few MB of gzip can expand them into gigabytes.
 * It also bounds what tar-stream buffers for a pax header, which it holds whole before parsing.
 */
function decompressedBudget(limits: TarballLimits): Transform {
  const budget = limits.maxUnpackedBytes + limits.maxFileCount * TAR_OVERHEAD_PER_FILE + TAR_OVERHEAD_SLACK;
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > budget) done(tooLarge(limits));
      else done(null, chunk);
    },
  });
}

function tooLarge(limits: TarballLimits): GatehouseError {
  return catalogError(
    'TarballTooLarge',
    `The tarball unpacks to more than ${formatBytes(limits.maxUnpackedBytes)}, the limit here. ` +
      'Leave build output, tests and assets out of the package (the "files" field or .npmignore) and publish again.',
  );
}

async function inspectEntry(entry: Entry, scan: Scan): Promise<void> {
  const { header } = entry;
  const path = entryPath(header.name, scan.limits);
  const key = path.join('/');
  if (path.length < 2 && header.type !== 'directory') unsafe(`${quote(key)} must be a folder, not a file.`);
  rememberPath(scan, key, header.type);
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      return inspectFile(entry, path, scan);
    case 'directory':
      return drain(entry);
    case 'symlink':
    case 'link':
      // Not counted as files (npm's dist.fileCount doesn't either); the decompressed budget bounds them.
      scan.links.push(linkOf(header, path));
      return drain(entry);
    default:
      // Devices and fifos are never packed by npm; creating one on a client is a foothold.
      unsafe(
        `${quote(header.name)} is a ${header.type ?? 'special'} entry; a package may hold only files, directories and links.`,
      );
  }
}

function rememberPath(scan: Scan, key: string, type: Headers['type']): void {
  const earlier = scan.seen.get(key);
  // A second entry at one path silently replaces the first when unpacked, so what we inspected
  // would not be what clients install. Repeated directory entries are harmless.
  if (earlier !== undefined && !(earlier === 'directory' && type === 'directory')) {
    unsafe(`${quote(key)} appears more than once in the tarball.`);
  }
  scan.seen.set(key, type);
}

async function inspectFile(entry: Entry, path: Segments, scan: Scan): Promise<void> {
  const size = entry.header.size ?? 0;
  countFile(scan);
  scan.unpackedSize += size;
  // The header declares the size before any body byte is decompressed, so a bomb stops here.
  if (scan.unpackedSize > scan.limits.maxUnpackedBytes) throw tooLarge(scan.limits);
  const name = path.slice(1).join('/');
  if (name === 'package.json') scan.packageJson = await readPackageJson(entry, scan.limits);
  else if (path.length === 2 && wantReadme(scan, name)) {
    scan.readmes.push({ filename: name, body: await readCapped(entry, MAX_README_BYTES) });
  } else await drain(entry);
}

/** Keeps the first README* and the first README.md, so at most two are held in memory. */
function wantReadme(scan: Scan, name: string): boolean {
  if (!/^readme(\..*)?$/i.test(name)) return false;
  return scan.readmes.length === 0 || (isReadmeMd(name) && !scan.readmes.some((r) => isReadmeMd(r.filename)));
}

function isReadmeMd(name: string): boolean {
  return name.toLowerCase() === 'readme.md';
}

function countFile(scan: Scan): void {
  scan.fileCount += 1;
  if (scan.fileCount > scan.limits.maxFileCount) {
    fail(
      'TarballTooManyFiles',
      `The tarball holds more than ${scan.limits.maxFileCount} files, the limit here. ` +
        'List only what the package needs in the "files" field of package.json and publish again.',
    );
  }
}

async function readPackageJson(entry: Entry, limits: TarballLimits): Promise<Buffer> {
  if ((entry.header.size ?? 0) > limits.maxPackageJsonBytes) {
    fail(
      'TarballBadPackageJson',
      `package/package.json is larger than ${formatBytes(limits.maxPackageJsonBytes)}, the limit here. ` +
        'Move bulky data out of package.json and publish again.',
    );
  }
  return readCapped(entry, limits.maxPackageJsonBytes);
}

/** Reads at most `cap` bytes and drains the rest, so memory stays bounded whatever the header claims. */
async function readCapped(entry: Entry, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of entry) {
    if (kept >= cap) continue;
    const part = chunk.subarray(0, cap - kept);
    chunks.push(part);
    kept += part.length;
  }
  return Buffer.concat(chunks);
}

/** Skips an entry's body: tar-stream stalls until each body is consumed. */
async function drain(entry: Entry): Promise<void> {
  await readCapped(entry, 0);
}

function summarise(scan: Scan): TarballSummary {
  if (scan.packageJson === undefined) {
    fail('TarballMissingPackageJson', 'The tarball has no package/package.json. Create it with `npm pack` and publish again.');
  }
  const summary: TarballSummary = {
    packageJson: parsePackageJson(scan.packageJson),
    fileCount: scan.fileCount,
    unpackedSize: scan.unpackedSize,
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
    fail(
      'TarballBadPackageJson',
      'package/package.json is not a JSON object. Fix its syntax (try `npm pkg get`) and publish again.',
    );
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
