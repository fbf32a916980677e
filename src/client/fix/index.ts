// `gatehouse fix`: for each vulnerable installed copy, the lowest served version above it that no
// known advisory covers (never one at or below it: a fix never downgrades). When every dependent's
// declared range allows it, only the lockfile changes: the entry gets that version's resolved URL,
// integrity and own dependencies, and npm's tree builder completes the tree around it (adding what
// the new version needs, pruning what it dropped). Otherwise the change is a range in package.json
// (a direct dependency's range, or an `overrides` entry keyed by the vulnerable version for a
// transitive one), proposed, and applied only with --force. Then reinstall (gatehouse install) and
// audit again.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { isAffected, SEMVER_OPTIONS } from '../../domain/advisories/ranges.js';
import { ClientError } from '../errors.js';
import { parseLockfile } from '../lockfile.js';
import { MAX_VERSIONS, type Finding } from '../audit/index.js';
import { auditLockfile, type LockfileAuditOptions } from '../audit/lockfile-audit.js';
import type { Edge, EdgeType } from '../audit/tree.js';
import { clientSettings } from '../npmrc.js';
import { readInstallSettings } from '../install/settings.js';

export interface FixOptions extends LockfileAuditOptions {
  force?: boolean;
  dryRun?: boolean;
  /** Notices from the reinstall (default: stderr). */
  log?: (line: string) => void;
}

export interface LockfileChange {
  name: string;
  from: string;
  to: string;
  /** The install path whose entry changed. */
  path: string;
  /** Who depends on it with which range (`aud-parent@1.0.0 wants ^1.0.0`). */
  dependents: string[];
}

export interface Proposal {
  name: string;
  from: string;
  to: string;
  path: string;
  /** The package.json field changed, and the key in it. */
  field: 'dependencies' | 'devDependencies' | 'optionalDependencies' | 'peerDependencies' | 'overrides';
  key: string;
  before: string | undefined;
  after: string;
  why: string;
}

export interface Unfixable {
  name: string;
  version: string;
  path: string;
  why: string;
}

export interface FixResult {
  changes: LockfileChange[];
  proposals: Proposal[];
  /** Whether the proposals were written (--force). */
  applied: boolean;
  unfixable: Unfixable[];
  /** How node_modules was reinstalled, when anything changed. */
  reinstalled?: string;
  /** The audit after the fix (before it, with --dry-run). */
  remaining: Finding[];
}

interface Manifest {
  version: string;
  dist?: { tarball?: string; integrity?: string };
  [key: string]: unknown;
}

const FIELD_OF: Record<EdgeType, Proposal['field']> = {
  prod: 'dependencies',
  dev: 'devDependencies',
  optional: 'optionalDependencies',
  peer: 'peerDependencies',
};

export async function fix(opts: FixOptions): Promise<FixResult> {
  if (opts.offline) throw new ClientError('gatehouse fix needs the registry (it reads the versions to move to): drop --offline.');
  const audit = await auditLockfile(opts);
  const lockPath = join(opts.dir, 'package-lock.json');
  const pkgPath = join(opts.dir, 'package.json');
  const lockText = readFileSync(lockPath, 'utf8');
  const pkgText = readFileSync(pkgPath, 'utf8');
  const lockDoc = JSON.parse(lockText) as { packages: Record<string, Record<string, unknown>> };
  const pkgDoc = JSON.parse(pkgText) as Record<string, Record<string, unknown> | undefined>;

  const changes: LockfileChange[] = [];
  const proposals: Proposal[] = [];
  const unfixable: Unfixable[] = [];
  const label = (edge: Edge) => {
    const from = audit.tree.nodes.get(edge.from);
    return edge.from === ''
      ? `package.json ${FIELD_OF[edge.type]} wants ${edge.spec}`
      : `${from?.name}@${from?.version} wants ${edge.spec}`;
  };
  for (const finding of audit.findings) {
    const doc = await audit.client.packument(finding.name, { full: true });
    const manifests = (doc?.versions ?? {}) as Record<string, Manifest>;
    const served = Object.keys(manifests);
    const advisories = (await audit.source.lookup(new Map([[finding.name, served.slice(-MAX_VERSIONS)]]))).filter(
      (a) => a.name === finding.name,
    );
    const candidates = served
      .filter((v) => semver.valid(v) && (semver.prerelease(v) === null || semver.prerelease(finding.version) !== null))
      .filter((v) => semver.gt(v, finding.version, SEMVER_OPTIONS) && !advisories.some((a) => isAffected(v, a.range)))
      .sort((a, b) => semver.compare(a, b, SEMVER_OPTIONS));
    for (const path of finding.paths) {
      const target = candidates[0];
      if (target === undefined) {
        unfixable.push({
          name: finding.name,
          version: finding.version,
          path,
          why: `no served version above ${finding.version} is free of known advisories`,
        });
        continue;
      }
      const edges = audit.tree.edgesIn.get(path) ?? [];
      const inRange = candidates.find((v) => edges.every((e) => allows(e.spec, v)));
      if (inRange !== undefined) {
        lockDoc.packages[path] = updatedEntry(lockDoc.packages[path] ?? {}, manifests[inRange] as Manifest);
        changes.push({ name: finding.name, from: finding.version, to: inRange, path, dependents: edges.map(label) });
        continue;
      }
      for (const edge of edges) {
        if (allows(edge.spec, target)) continue;
        const direct = edge.from === '';
        const field = direct ? FIELD_OF[edge.type] : 'overrides';
        // keyed by the vulnerable version: npm applies it only to edges whose range allows that
        // version, so copies of the package at other versions are left alone (none is downgraded)
        const key = direct ? finding.name : `${finding.name}@${finding.version}`;
        if (proposals.some((p) => p.field === field && p.key === key)) continue;
        const before = pkgDoc[field]?.[key];
        proposals.push({
          name: finding.name,
          from: finding.version,
          to: target,
          path,
          field,
          key,
          before: typeof before === 'string' ? before : undefined,
          after: direct ? styled(edge.spec, target) : target,
          why: `${target} is outside the range ${label(edge).replace(' wants ', ' declares ')}`,
        });
      }
    }
  }

  const apply = opts.force === true && proposals.length > 0;
  let reinstalled: string | undefined;
  if (!opts.dryRun && (changes.length > 0 || apply)) {
    if (changes.length > 0) writeFileSync(lockPath, asJson(lockDoc, lockText));
    if (apply) {
      for (const p of proposals) (pkgDoc[p.field] ??= {})[p.key] = p.after;
      writeFileSync(pkgPath, asJson(pkgDoc, pkgText));
    }
    try {
      // npm's own tree builder completes the lockfile (what `npm install --package-lock-only` runs):
      // the new versions' dependencies added, the ones they dropped pruned.
      const { writeLockfile } = await import('../install/resolve.js');
      const { registry, token } = clientSettings({ registry: opts.registry, token: opts.token }, process.env, opts.dir);
      await writeLockfile({ dir: opts.dir, registry, token, settings: readInstallSettings(opts.dir), cache: undefined });
      refuseDowngrades(lockText, readFileSync(lockPath, 'utf8'), lockPath);
    } catch (err) {
      // nothing half-done: the project's files go back as they were
      writeFileSync(lockPath, lockText);
      writeFileSync(pkgPath, pkgText);
      throw err;
    }
    // the same install as `gatehouse install`: pinned integrity checked, scripts only as allowScripts says
    const { install } = await import('../install/index.js');
    await install({ dir: opts.dir, client: audit.client, omit: opts.omit, log: opts.log });
    reinstalled = 'gatehouse install';
  }
  const remaining = opts.dryRun ? audit.findings : (await auditLockfile(opts)).findings;
  return { changes, proposals, applied: apply && !opts.dryRun, unfixable, reinstalled, remaining };
}

/** Whether a declared range admits `version`; a tag, alias, URL or git spec is taken as not. */
function allows(spec: string, version: string): boolean {
  return semver.validRange(spec, SEMVER_OPTIONS) !== null && semver.satisfies(version, spec, SEMVER_OPTIONS);
}

/** A new range in the style of the old one: exact stays exact, `~` stays `~`, anything else `^`. */
function styled(before: string, target: string): string {
  if (semver.valid(before)) return target;
  if (before.startsWith('~')) return `~${target}`;
  if (before.startsWith('>=')) return `>=${target}`;
  return `^${target}`;
}

const COPIED = ['dependencies', 'optionalDependencies', 'peerDependencies', 'peerDependenciesMeta', 'engines', 'os', 'cpu'];
/** What an entry takes from its version's manifest; the old version's values never carry over. */
const FROM_MANIFEST = new Set([...COPIED, 'integrity', 'bin', 'hasInstallScript', 'deprecated']);

/** The lockfile entry for another version: what npm records from that version's manifest. */
function updatedEntry(old: Record<string, unknown>, m: Manifest): Record<string, unknown> {
  const next: Record<string, unknown> = Object.fromEntries(Object.entries(old).filter(([key]) => !FROM_MANIFEST.has(key)));
  next.version = m.version;
  if (m.dist?.tarball) next.resolved = m.dist.tarball;
  if (m.dist?.integrity) next.integrity = m.dist.integrity;
  for (const field of COPIED) {
    const value = m[field];
    if (value && typeof value === 'object' && Object.keys(value).length > 0) next[field] = value;
  }
  const bin = typeof m.bin === 'string' ? { [String(m.name ?? '').replace(/^@[^/]+\//, '')]: m.bin } : m.bin;
  if (bin && typeof bin === 'object' && Object.keys(bin).length > 0) next.bin = bin;
  if (typeof m.license === 'string') next.license = m.license;
  const scripts = (m.scripts ?? {}) as Record<string, unknown>;
  if (m.hasInstallScript === true || ['preinstall', 'install', 'postinstall'].some((s) => s in scripts))
    next.hasInstallScript = true;
  if (typeof m.deprecated === 'string' && m.deprecated !== '') next.deprecated = m.deprecated;
  return next;
}

/** JSON written back with the file's own indentation and final newline. */
function asJson(value: unknown, original: string): string {
  const indent = /^\{\r?\n([ \t]+)"/.exec(original)?.[1] ?? '  ';
  return `${JSON.stringify(value, null, indent)}${original.endsWith('\n') ? '\n' : ''}`;
}

/** The rebuilt lockfile may add and remove entries, never lower one that stays. */
function refuseDowngrades(beforeText: string, afterText: string, file: string): void {
  const before = parseLockfile(beforeText, file);
  const after = new Map(parseLockfile(afterText, file).packages.map((p) => [p.path, p]));
  for (const old of before.packages) {
    const now = after.get(old.path);
    if (!now || now.name !== old.name || !semver.valid(old.version) || !semver.valid(now.version)) continue;
    if (semver.lt(now.version, old.version, SEMVER_OPTIONS))
      throw new ClientError(
        `npm's tree builder would downgrade ${old.name} at ${old.path} (${old.version} -> ${now.version}); nothing was changed.`,
      );
  }
}
