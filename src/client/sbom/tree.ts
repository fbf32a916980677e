// The package tree an SBOM describes, read from a package-lock.json: one component per
// name@version, its hashes from the lockfile's integrity, its license, and the dependency edges
// resolved the way Node and npm resolve them (the nearest node_modules up the install path). Reads
// only the lockfile and, for licenses the lockfile lacks, installed package.json files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { npmPurl } from '../../domain/provenance/statement.js';
import type { LockedPackage, Lockfile } from '../lockfile.js';

export type DependencyKind = 'prod' | 'optional' | 'peer' | 'dev';
export type Omit = 'dev' | 'optional' | 'peer';

export interface Hash {
  /** As SRI names it: sha512, sha384, sha256, sha1. */
  algorithm: string;
  hex: string;
}

export interface Component {
  name: string;
  version: string;
  purl: string;
  /** Every install path it occupies, sorted. */
  paths: string[];
  integrity?: string;
  hashes: Hash[];
  /** An SPDX expression, or undefined when neither the lockfile nor node_modules says. */
  license?: string;
  resolved?: string;
  dev: boolean;
  optional: boolean;
  /** purls this one depends on, each with how it was declared. */
  dependsOn: Map<string, DependencyKind>;
}

export interface SbomTree {
  root: { name: string; version: string; purl?: string; dependsOn: Map<string, DependencyKind> };
  /** Sorted by purl. */
  components: Component[];
}

const SRI = /^(sha512|sha384|sha256|sha1)-([A-Za-z0-9+/=]+)$/;

export function hashesOf(integrity: string | undefined): Hash[] {
  const hashes: Hash[] = [];
  for (const part of (integrity ?? '').split(/\s+/)) {
    const match = SRI.exec(part);
    if (match) hashes.push({ algorithm: match[1]!, hex: Buffer.from(match[2]!, 'base64').toString('hex') });
  }
  return hashes;
}

/** Whether npm's `--omit` drops this entry: a dev-only one for dev, and so on (npm's `dev`/`devOptional` flags). */
function omitted(entry: LockedPackage, omit: ReadonlySet<Omit>): boolean {
  if (omit.has('dev') && entry.dev) return true;
  if (omit.has('optional') && entry.optional) return true;
  if (omit.has('dev') && omit.has('optional') && entry.devOptional) return true;
  if (omit.has('peer') && entry.peer) return true;
  return false;
}

/**
 * Node's lookup from an install path: `a/node_modules/b` looks in its own node_modules, then
 * `a/node_modules`, then the root's. A workspace folder (`packages/x`) looks in its own, then the root's.
 */
export function lookupPaths(from: string, name: string): string[] {
  const candidates: string[] = [];
  let at = from;
  for (;;) {
    candidates.push(at === '' ? `node_modules/${name}` : `${at}/node_modules/${name}`);
    if (at === '') return candidates;
    const i = at.lastIndexOf('/node_modules/');
    at = i >= 0 ? at.slice(0, i) : '';
  }
}

export function buildTree(lock: Lockfile, opts: { projectDir: string; omit?: readonly Omit[] }): SbomTree {
  const omit = new Set(opts.omit ?? []);
  const byPath = new Map<string, LockedPackage>(lock.packages.map((p) => [p.path, p]));
  /** The entry a path holds, following a link to its target folder. */
  const at = (path: string): LockedPackage | undefined => {
    const entry = byPath.get(path);
    return entry?.link && entry.resolved !== undefined ? byPath.get(entry.resolved) : entry;
  };
  const kept = (entry: LockedPackage | undefined): entry is LockedPackage =>
    entry !== undefined && !entry.link && entry.version !== '' && !omitted(entry, omit);
  const components = new Map<string, Component>();
  for (const entry of lock.packages) {
    if (!kept(entry)) continue;
    const purl = npmPurl(entry.name, entry.version);
    const existing = components.get(purl);
    if (existing) {
      existing.paths.push(entry.path);
      existing.dev &&= entry.dev === true;
      existing.optional &&= entry.optional === true;
      continue;
    }
    const license = licenseOf(entry, opts.projectDir);
    components.set(purl, {
      name: entry.name,
      version: entry.version,
      purl,
      paths: [entry.path],
      ...(entry.integrity !== undefined && { integrity: entry.integrity }),
      hashes: hashesOf(entry.integrity),
      ...(license !== undefined && { license }),
      ...(entry.resolved !== undefined && { resolved: entry.resolved }),
      dev: entry.dev === true,
      optional: entry.optional === true,
      dependsOn: new Map(),
    });
  }
  const edgesOf = (entry: LockedPackage, from: string, isRoot: boolean): Map<string, DependencyKind> => {
    const edges = new Map<string, DependencyKind>();
    const declared: [Record<string, string> | undefined, DependencyKind][] = [
      [entry.dependencies, 'prod'],
      [entry.optionalDependencies, 'optional'],
      [entry.peerDependencies, 'peer'],
      [isRoot ? entry.devDependencies : undefined, 'dev'],
    ];
    for (const [deps, kind] of declared) {
      for (const name of Object.keys(deps ?? {})) {
        const target = lookupPaths(from, name)
          .map(at)
          .find((e) => e !== undefined);
        if (!kept(target)) continue; // not installed (an optional or peer left out) or omitted
        const purl = npmPurl(target.name, target.version);
        if (!edges.has(purl)) edges.set(purl, kind);
      }
    }
    return edges;
  };
  for (const entry of lock.packages) {
    if (!kept(entry)) continue;
    const component = components.get(npmPurl(entry.name, entry.version))!;
    for (const [purl, kind] of edgesOf(entry, entry.path, false))
      if (!component.dependsOn.has(purl)) component.dependsOn.set(purl, kind);
  }
  const rootName = lock.root.name || lock.name || 'project';
  const rootVersion = lock.root.version || lock.version || '';
  for (const c of components.values()) c.paths.sort();
  return {
    root: {
      name: rootName,
      version: rootVersion,
      ...(rootVersion && { purl: npmPurl(rootName, rootVersion) }),
      dependsOn: edgesOf(lock.root, '', true),
    },
    components: [...components.values()].sort((a, b) => (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0)),
  };
}

/** The lockfile's `license` (npm 7+ records it); else the installed package.json's; else unknown. */
function licenseOf(entry: LockedPackage, projectDir: string): string | undefined {
  if (entry.license) return entry.license;
  let manifest: { license?: unknown; licenses?: unknown };
  try {
    manifest = JSON.parse(readFileSync(join(projectDir, entry.path, 'package.json'), 'utf8')) as typeof manifest;
  } catch {
    return undefined;
  }
  if (typeof manifest.license === 'string') return manifest.license;
  // The deprecated forms: {"type": "MIT"} and "licenses": [{"type": …}, …] (either applies).
  const types = [manifest.license, ...(Array.isArray(manifest.licenses) ? manifest.licenses : [])]
    .map((l) => (typeof l === 'object' && l !== null ? (l as { type?: unknown }).type : undefined))
    .filter((t): t is string => typeof t === 'string');
  return types.length > 0 ? types.join(' OR ') : undefined;
}

/**
 * Whether a license string reads as an SPDX expression (ids, `AND`/`OR`/`WITH`, parentheses, `+`):
 * npm allows free text ("SEE LICENSE IN LICENSE.txt", "UNLICENSED"), which is no expression.
 */
export function isSpdxExpression(license: string): boolean {
  const tokens = license.replace(/[()]/g, ' ').trim().split(/\s+/);
  if (tokens.length === 0 || tokens[0] === '') return false;
  return tokens.every((t, i) =>
    i % 2 === 1 ? ['AND', 'OR', 'WITH'].includes(t) : /^(LicenseRef-)?[A-Za-z0-9.-]+\+?$/.test(t) && t !== 'UNLICENSED',
  );
}
