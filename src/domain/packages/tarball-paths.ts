// Where the entries and links of an uploaded tarball would land when a client unpacks it. Clients
// strip the first path component whatever its name (`package/`, DefinitelyTyped's `estree/`, a
// git-archive folder), so anything that could end up outside that one top folder (absolute paths,
// "..", backslashes, links through links, a second top folder) is refused, as is what npm never writes.
import { fail } from '../errors.js';
import type { TarEntry } from './tar-reader.js';
import type { TarballLimits } from './tarball.js';
// Same bound as Linux's ELOOP: a longer chain of links is a loop or an attack, never a real package.
const MAX_LINK_HOPS = 40;

export type Segments = string[];
export interface Link {
  kind: 'symlink' | 'hardlink';
  path: Segments;
  target: Segments;
}

/**
 * Normalises an entry name to segments starting with the archive's top folder (`root`, or this
 * entry's own first component for the first entry). Refuses what npm never writes and what could
 * escape the folder a client unpacks into.
 */
export function entryPath(raw: string, root: string | undefined, limits: TarballLimits): Segments {
  refuseOddCharacters(raw, 'entry');
  if (isAbsolute(raw)) unsafe(`The entry ${quote(raw)} has an absolute path.`);
  const path = segmentsUnder(raw, 'entry');
  if (path.includes('..')) unsafe(`The entry ${quote(raw)} climbs out of its folder with "..".`);
  // Clients strip one component from every entry, so two top folders would be merged into one.
  if (root !== undefined && path[0] !== root) {
    unsafe(
      `The entry ${quote(raw)} is not under ${quote(`${root}/`)}, the archive's top folder. Create the tarball with \`npm pack\`.`,
    );
  }
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

/** Segments of a path whose first component clients strip: it must be a real name, not "." or "". */
function segmentsUnder(raw: string, what: string): Segments {
  // node-tar strips exactly the first "/"-separated component, so "./package/x" lands at package/x.
  const first = raw.split('/')[0];
  if (first === '' || first === '.') unsafe(`The ${what} ${quote(raw)} does not start with a top folder.`);
  return segmentsOf(raw);
}

export function linkOf(entry: TarEntry, path: Segments): Link {
  const raw = entry.linkname;
  refuseOddCharacters(raw, 'link target');
  if (raw === '' || isAbsolute(raw)) {
    unsafe(`The link ${quote(path.join('/'))} points to ${quote(raw)}, outside the package.`);
  }
  // Symlink targets are relative to the link's folder; hard link targets to the archive root, and
  // clients strip their first component too (see checkLinks).
  if (entry.type === 'symlink') return { kind: 'symlink', path, target: segmentsOf(raw) };
  return { kind: 'hardlink', path, target: segmentsUnder(raw, 'link target') };
}

/**
 * Resolves every link as a client's file system would, following links through links, and refuses
 * any that leaves the top folder on the way. Done after the scan because a link may point through a
 * link that comes later in the archive.
 */
export function checkLinks(links: Link[], root: string): void {
  const symlinks = new Map(links.filter((l) => l.kind === 'symlink').map((l) => [foldCase(l.path), l] as const));
  for (const link of links) {
    const start = link.kind === 'symlink' ? [...link.path.slice(0, -1), ...link.target] : link.target;
    if (escapesRoot(start, root, symlinks)) {
      unsafe(`The link ${quote(link.path.join('/'))} points outside the package. Replace it with a copy of the file.`);
    }
  }
}

function escapesRoot(path: Segments, root: string, symlinks: Map<string, Link>): boolean {
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
    if (resolved[0] !== root) return true;
    const link = symlinks.get(foldCase(resolved));
    if (link === undefined) continue;
    if (++hops > MAX_LINK_HOPS) return true;
    resolved.pop();
    pending.unshift(...link.target);
  }
  return resolved[0] !== root;
}

// macOS and Windows file systems ignore case (and APFS Unicode form), so "X/.." may pass through a
// link named "x" there; matching links loosely errs on the side of refusing.
function foldCase(path: Segments): string {
  return foldName(path.join('/'));
}

/** One key for every spelling a case- or normalisation-insensitive file system treats as one name. */
export function foldName(name: string): string {
  // NFKC folds more than APFS or NTFS do, which only ever refuses more.
  return name.normalize('NFKC').toLowerCase().normalize('NFKC');
}

// attacker-chosen names go back to a terminal and into logs: escape control characters, cap the length.
export function quote(name: string): string {
  return JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}…` : name);
}

export function unsafe(message: string): never {
  fail('TarballUnsafePath', `${message} The tarball was refused because unpacking it could be unsafe.`);
}
