// What a tarball inspection is made of: inspectors that are each offered every entry a client
// extracts (regular files with their bytes), once, in archive order, and then say what they found
// or refuse. tarball.ts reads the archive and enforces the limits; it never decides what the
// package contains. An inspector keeps only what it needs: keeping file bytes is its own cost.
import { fail } from '../errors.js';
import type { TarEntryType } from './tar-reader.js';
import { foldName } from './tarball-paths.js';

/** One entry as a client extracts it. For a duplicated path, only the copy a client ends up with. */
export interface InspectedEntry {
  /** Below the archive's top folder: `lib/index.js`. */
  path: string;
  type: Extract<TarEntryType, 'file' | 'directory' | 'symlink' | 'link'>;
  /** The file's size in bytes; 0 for anything but a regular file. */
  size: number;
}

export interface TarballInspector<R = unknown> {
  /** Names the result in the inspection (`results.get(name)`) and in errors about the inspector. */
  readonly name: string;
  /**
   * Called for every entry, in archive order. `bytes` is a regular file's whole body (empty for
   * the other types); it is released after the call unless the inspector keeps it. attacker-controlled.
   * Throwing a catalog error refuses the tarball; a returned promise counts against the time budget.
   */
  entry(entry: InspectedEntry, bytes: Buffer): void | Promise<void>;
  /** After the last entry: the result, or a refusal (throw a catalog error). */
  finish(): R;
}

/**
 * Inspectors keep state, so each read of a tarball gets new ones. A read that meets a duplicated
 * file has already offered a copy no client keeps: it is abandoned and its inspectors dropped
 * unfinished, so an inspector acts on what it saw (calls a service, records) only in `finish`.
 */
export type InspectorFactory = () => TarballInspector;

const MAX_README_BYTES = 1024 * 1024;

/** The top-level package.json, parsed; refuses a tarball without one. */
export function packageJsonInspector(): TarballInspector<Record<string, unknown>> {
  let body: Buffer | undefined;
  return {
    name: 'package-json',
    entry(entry, bytes) {
      if (entry.type === 'file' && entry.path === 'package.json') body = bytes;
    },
    finish() {
      if (body === undefined) {
        fail(
          'TarballMissingPackageJson',
          'The tarball has no package.json in its top folder. Create it with `npm pack` and publish again.',
        );
      }
      return parsePackageJson(body);
    },
  };
}

/** The README npm shows: README.md if there is one, else the first README* (first 1 MiB of it). */
export function readmeInspector(): TarballInspector<{ filename: string; text: string } | undefined> {
  const readmes: { filename: string; body: Buffer }[] = [];
  // Keeps the first README* and the first README.md (by name), so at most two are held in memory.
  const wanted = (name: string) => {
    if (name.includes('/') || !/^readme(\..*)?$/i.test(name)) return false;
    if (readmes.some((r) => r.filename === name)) return true;
    return readmes.length === 0 || (isReadmeMd(name) && !readmes.some((r) => isReadmeMd(r.filename)));
  };
  return {
    name: 'readme',
    entry(entry, bytes) {
      if (entry.type !== 'file' || !wanted(entry.path)) return;
      // A copy of the prefix, so the whole file's buffer is not kept alive by a slice of it.
      const body = Buffer.from(bytes.subarray(0, MAX_README_BYTES));
      const same = readmes.find((r) => r.filename === entry.path);
      if (same) same.body = body;
      else readmes.push({ filename: entry.path, body });
    },
    finish() {
      const readme = readmes.find((r) => isReadmeMd(r.filename)) ?? readmes[0];
      return readme && { filename: readme.filename, text: decodeUtf8Prefix(readme.body) };
    },
  };
}

/** `dist.fileCount` and `dist.unpackedSize` as npm reports them: regular files only. */
export function fileStatsInspector(): TarballInspector<{ fileCount: number; unpackedSize: number }> {
  const stats = { fileCount: 0, unpackedSize: 0 };
  return {
    name: 'file-stats',
    entry(entry) {
      if (entry.type !== 'file') return;
      stats.fileCount += 1;
      stats.unpackedSize += entry.size;
    },
    finish: () => stats,
  };
}

/**
 * Whether a regular file sits at `key` in the top folder. Matched loosely: on a case-insensitive
 * disk npm's stat of binding.gyp finds BINDING.GYP too (and npm-shrinkwrap.json likewise).
 */
function topFileInspector(name: string, key: string): TarballInspector<boolean> {
  let found = false;
  return {
    name,
    entry(entry) {
      if (entry.type === 'file' && foldName(entry.path) === key) found = true;
    },
    finish: () => found,
  };
}

/** A top-level binding.gyp: npm runs `node-gyp rebuild` at install unless the package opts out. */
export const installHookInspector = () => topFileInspector('install-hooks', 'binding.gyp');

/** A top-level npm-shrinkwrap.json: what the packument's `_hasShrinkwrap` must say. */
export const shrinkwrapInspector = () => topFileInspector('shrinkwrap', 'npm-shrinkwrap.json');

function isReadmeMd(name: string): boolean {
  return name.toLowerCase() === 'readme.md';
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
