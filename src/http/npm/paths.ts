// Classifies the package URLs npm clients send. Clients escape a scoped name differently
// (`@scope%2fname`, `@scope%2Fname` or a raw `@scope/name`), so all are accepted here and
// nowhere else. attacker-controlled: a path that does not decode is simply not a package path.
import { parsePackageName, type PackageName } from '../../domain/packages/names.js';

export type PackagePath =
  | { kind: 'package'; name: PackageName }
  | { kind: 'package-rev'; name: PackageName; rev: string }
  | { kind: 'tarball'; name: PackageName; file: string }
  | { kind: 'tarball-rev'; name: PackageName; file: string; rev: string }
  | { kind: 'version'; name: PackageName; spec: string };

export function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

function decodeSegments(path: string): string[] | undefined {
  try {
    return path.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** Takes the package name off the front of the decoded segments. */
export function takeName(segments: string[]): { name: string; rest: string[] } | undefined {
  const [first, second, ...others] = segments;
  if (!first) return undefined;
  if (first.startsWith('@') && !first.includes('/')) {
    if (!second) return undefined;
    return { name: `${first}/${second}`, rest: others };
  }
  return { name: first, rest: second === undefined ? [] : [second, ...others] };
}

/** For writes: throws InvalidPackageName with npm's reason when the name in the path is what is wrong. */
export function assertValidNameIn(rawPath: string): void {
  const segments = decodeSegments(rawPath);
  const taken = segments && takeName(segments);
  if (taken && !taken.name.startsWith('-')) parsePackageName(taken.name);
}

function validName(raw: string): PackageName | undefined {
  try {
    return parsePackageName(raw);
  } catch {
    return undefined;
  }
}

/** `nameOf` may replace the full name check by a cheaper one (the fast path: "is it cached?"). */
export function parsePackagePath(
  rawPath: string,
  nameOf: (raw: string) => PackageName | undefined = validName,
): PackagePath | undefined {
  const segments = rawPath.includes('%') ? decodeSegments(rawPath) : rawPath.split('/').slice(1);
  if (!segments) return undefined;
  const taken = takeName(segments);
  if (!taken || taken.name.startsWith('-')) return undefined;
  const name = nameOf(taken.name);
  if (name === undefined) return undefined;
  const r = taken.rest;
  if (r.length === 0) return { kind: 'package', name };
  if (r.length === 2 && r[0] === '-rev') return { kind: 'package-rev', name, rev: r[1]! };
  if (r[0] === '-' && r.length >= 2) {
    // npm's own upload URL repeats the scope in the file name: `/@s/p/-/@s/p-1.0.0.tgz`.
    const fileParts = r.slice(1);
    const revAt = fileParts.indexOf('-rev');
    const file = (revAt === -1 ? fileParts : fileParts.slice(0, revAt)).join('/');
    const bare = file.startsWith('@') ? file.slice(file.indexOf('/') + 1) : file;
    if (revAt === -1) return { kind: 'tarball', name, file: bare };
    return { kind: 'tarball-rev', name, file: bare, rev: fileParts[revAt + 1] ?? '' };
  }
  if (r.length === 1 && r[0]) return { kind: 'version', name, spec: r[0] };
  return undefined;
}
