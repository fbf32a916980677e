// Where the entries and links of an uploaded tarball would land when a client unpacks it. Anything
// that could end up outside `package/` (absolute paths, "..", backslashes, links through links) is
// refused, as is anything npm itself never writes.
import type { Headers } from 'tar-stream';
import { fail } from '../errors.js';
import type { TarballLimits } from './tarball.js';

export const ROOT = 'package';
// Same bound as Linux's ELOOP: a longer chain of links is a loop or an attack, never a real package.
const MAX_LINK_HOPS = 40;

export type Segments = string[];
export interface Link {
  kind: 'symlink' | 'hardlink';
  path: Segments;
  target: Segments;
}

/**
 * Normalises an entry name to segments starting with `package`. Refuses what npm never writes
 * and what could escape the folder a client unpacks into.
 */
export function entryPath(raw: string, limits: TarballLimits): Segments {
  refuseOddCharacters(raw, 'entry');
  if (isAbsolute(raw)) unsafe(`The entry ${quote(raw)} has an absolute path.`);
  const path = segmentsOf(raw);
  if (path.includes('..')) unsafe(`The entry ${quote(raw)} climbs out of its folder with "..".`);
  // npm puts everything under package/; other top-level folders come from hand-made archives.
  if (path[0] !== ROOT) unsafe(`The entry ${quote(raw)} is not under package/. Create the tarball with \`npm pack\`.`);
  if (path.length - 1 > limits.maxPathDepth) {
    unsafe(`The entry ${quote(raw)} is nested deeper than ${limits.maxPathDepth} folders, the limit here.`);
  }
  return path;
}

function refuseOddCharacters(raw: string, what: string): void {
  // A backslash is a separator on Windows, so "package\..\x" escapes there; NUL truncates names in C code.
  if (raw.includes('\\')) unsafe(`The ${what} ${quote(raw)} contains a backslash; use "/" in paths.`);
  if (raw.includes('\0')) unsafe(`The ${what} name contains a NUL character.`);
}

function isAbsolute(raw: string): boolean {
  return raw.startsWith('/') || /^[a-zA-Z]:/.test(raw);
}

function segmentsOf(raw: string): Segments {
  return raw.split('/').filter((segment) => segment !== '' && segment !== '.');
}

export function linkOf(header: Headers, path: Segments): Link {
  const raw = header.linkname ?? '';
  refuseOddCharacters(raw, 'link target');
  if (raw === '' || isAbsolute(raw)) {
    unsafe(`The link ${quote(path.join('/'))} points to ${quote(raw)}, outside the package.`);
  }
  // Symlink targets are relative to the link's folder, hard link targets to the archive root (see checkLinks).
  return { kind: header.type === 'symlink' ? 'symlink' : 'hardlink', path, target: segmentsOf(raw) };
}

/**
 * Resolves every link as a client's file system would, following links through links, and refuses
 * any that leaves package/ on the way. Done after the scan because a link may point through a
 * link that comes later in the archive.
 */
export function checkLinks(links: Link[]): void {
  const symlinks = new Map(links.filter((l) => l.kind === 'symlink').map((l) => [foldCase(l.path), l] as const));
  for (const link of links) {
    const start = link.kind === 'symlink' ? [...link.path.slice(0, -1), ...link.target] : link.target;
    if (escapesRoot(start, symlinks)) {
      unsafe(`The link ${quote(link.path.join('/'))} points outside the package. Replace it with a copy of the file.`);
    }
  }
}

function escapesRoot(path: Segments, symlinks: Map<string, Link>): boolean {
  const resolved: Segments = [];
  const pending = [...path];
  let hops = 0;
  while (pending.length > 0) {
    const segment = pending.shift() as string;
    if (segment === '..') {
      if (resolved.length <= 1) return true;
      resolved.pop();
      continue;
    }
    resolved.push(segment);
    if (resolved[0] !== ROOT) return true;
    const link = symlinks.get(foldCase(resolved));
    if (link === undefined) continue;
    if (++hops > MAX_LINK_HOPS) return true;
    resolved.pop();
    pending.unshift(...link.target);
  }
  return resolved[0] !== ROOT;
}

// macOS and Windows file systems ignore case (and APFS Unicode form), so "X/.." may pass through a
// link named "x" there; matching links loosely errs on the side of refusing.
function foldCase(path: Segments): string {
  return path.join('/').normalize('NFC').toLowerCase();
}

// attacker-chosen names go back to a terminal and into logs: escape control characters, cap the length.
export function quote(name: string): string {
  return JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}…` : name);
}

export function unsafe(message: string): never {
  fail('TarballUnsafePath', `${message} The tarball was refused because unpacking it could be unsafe.`);
}
