// Known vulnerabilities in a set of installed packages: the lookup `gatehouse audit` runs for a
// lockfile and `gatehouse install` runs (as its audit hook) for what it installed, the printer both
// use, and --fail-on. A finding is one name@version with every advisory affecting it, the fixed
// version (the lowest available version above it that the advisory does not cover), and where it
// sits in the tree.
import semver from 'semver';
import { isAffected, SEMVER_OPTIONS } from '../../domain/advisories/ranges.js';
import { SEVERITIES, type Severity } from '../../domain/advisories/severity.js';
import { ClientError } from '../errors.js';
import type { RegistryClient } from '../registry-client.js';
import type { AdvisorySource, AffectedScope, KnownAdvisory } from './sources.js';

import { NoAdvisories, osvSource, registrySource } from './sources.js';

export { NoAdvisories, osvSource, registrySource, type AdvisorySource, type KnownAdvisory } from './sources.js';

export interface InstalledPackage {
  name: string;
  version: string;
  /** The install path (`node_modules/a/node_modules/b`). */
  path: string;
  dev?: boolean;
}

export interface FindingAdvisory {
  id: string;
  aliases: string[];
  title: string;
  severity: Severity;
  url: string;
  /** npm's range string of the affected versions. */
  vulnerableVersions: string;
  /** The lowest available version above the installed one that this advisory does not cover. */
  fixedVersion: string | null;
  /** What inside the package the record says is affected, when it says. */
  scope?: AffectedScope;
}

export interface Reachability {
  verdict: 'reachable' | 'not-reachable';
  /** For reachable: one import chain from an entry point, files relative to the project. */
  chain?: string[];
  /** Why, in a sentence (e.g. which affected module was or was not imported). */
  reason: string;
}

export interface Finding {
  name: string;
  version: string;
  /** The most serious advisory's severity. */
  severity: Severity;
  /** Every install path holding this name@version. */
  paths: string[];
  /** Up to three shortest chains of package names from the project (filled by the lockfile audit). */
  chains: string[][];
  /** Installed only as a development dependency. */
  dev: boolean;
  advisories: FindingAdvisory[];
  /** The lowest available version above this one that no known advisory covers. */
  fixVersion: string | null;
  reachability?: Reachability;
}

export interface AuditOptions {
  source: AdvisorySource;
  /**
   * The versions a registry serves for a name, to find fixed versions that exist; undefined when
   * it cannot say (offline): the records' own `fixed` versions are used instead.
   */
  versionsOf?: (name: string) => Promise<string[] | undefined>;
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);

/** How many versions of one name a bulk request may carry (Gatehouse's limit; the newest are kept). */
export const MAX_VERSIONS = 1000;

/** The findings for `installed`, most serious first. */
export async function auditPackages(installed: InstalledPackage[], opts: AuditOptions): Promise<Finding[]> {
  const request = new Map<string, string[]>();
  for (const p of installed) {
    const versions = request.get(p.name) ?? [];
    if (!versions.includes(p.version)) versions.push(p.version);
    request.set(p.name, versions);
  }
  const found = await opts.source.lookup(request);
  const affectedNames = [...new Set(found.map((a) => a.name))];
  // What each vulnerable name's served versions are, and every advisory covering any of them, so a
  // fixed version is checked against all of them, not only those affecting the installed one.
  const available = new Map<string, string[] | undefined>();
  await Promise.all(affectedNames.map(async (name) => available.set(name, await opts.versionsOf?.(name))));
  const wider = new Map<string, string[]>();
  for (const name of affectedNames) {
    const versions = available.get(name);
    if (versions && opts.source.kind === 'registry') wider.set(name, versions.slice(-MAX_VERSIONS));
  }
  const all = wider.size > 0 ? dedupe([...found, ...(await opts.source.lookup(wider))]) : dedupe(found);

  const groups = new Map<string, InstalledPackage[]>();
  for (const p of installed) groups.set(`${p.name}@${p.version}`, [...(groups.get(`${p.name}@${p.version}`) ?? []), p]);
  const findings: Finding[] = [];
  for (const group of groups.values()) {
    const { name, version } = group[0] as InstalledPackage;
    const known = all.filter((a) => a.name === name);
    const hitting = known.filter((a) => isAffected(version, a.range));
    if (hitting.length === 0) continue;
    const versions = available.get(name);
    const advisories = hitting
      .map((a) => ({
        id: a.id,
        aliases: a.aliases,
        title: a.title,
        severity: a.severity,
        url: a.url,
        vulnerableVersions: a.range,
        fixedVersion: lowestClear(version, [a], versions),
        ...(a.scope ? { scope: a.scope } : {}),
      }))
      .sort((x, y) => rank(y.severity) - rank(x.severity) || x.id.localeCompare(y.id));
    findings.push({
      name,
      version,
      severity: (advisories[0] as FindingAdvisory).severity,
      paths: group.map((p) => p.path),
      chains: [],
      dev: group.every((p) => p.dev === true),
      advisories,
      fixVersion: lowestClear(version, known, versions),
    });
  }
  return findings.sort((a, b) => rank(b.severity) - rank(a.severity) || a.name.localeCompare(b.name));
}

function dedupe(advisories: KnownAdvisory[]): KnownAdvisory[] {
  const seen = new Map<string, KnownAdvisory>();
  for (const a of advisories) seen.set(`${a.name}\0${a.id}\0${a.range}`, a);
  return [...seen.values()];
}

/**
 * The lowest version above `installed` that none of `advisories` covers: from the served versions
 * when known (prereleases only for a prerelease install), else from the records' `fixed` versions.
 * Never one at or below `installed`: a fix is never a downgrade.
 */
export function lowestClear(installed: string, advisories: KnownAdvisory[], served: string[] | undefined): string | null {
  const candidates = served
    ? served.filter((v) => semver.valid(v) && (semver.prerelease(v) === null || semver.prerelease(installed) !== null))
    : advisories.flatMap((a) => a.fixed);
  const sorted = [...new Set(candidates)].sort((a, b) => semver.compare(a, b, SEMVER_OPTIONS));
  return sorted.find((v) => semver.gt(v, installed, SEMVER_OPTIONS) && !advisories.some((a) => isAffected(v, a.range))) ?? null;
}

/** The served versions of a name, from its (abbreviated) packument; undefined when the registry has none. */
export function servedVersions(client: RegistryClient): (name: string) => Promise<string[] | undefined> {
  return async (name) => {
    const doc = await client.packument(name);
    const versions = doc?.versions;
    return versions && typeof versions === 'object' ? Object.keys(versions) : undefined;
  };
}

/** `--fail-on low|moderate|high|critical`: the least serious severity that makes the command exit 1. */
export function parseFailOn(value: string | undefined): Severity | undefined {
  if (value === undefined) return undefined;
  const word = value.toLowerCase();
  if (!SEVERITIES.includes(word as Severity))
    throw new ClientError(`--fail-on takes one of ${SEVERITIES.join(', ')}, not "${value}".`);
  return word as Severity;
}

/** Whether any finding is at least as serious as `level`. */
export function failsOn(findings: Finding[], level: Severity | undefined): boolean {
  return level !== undefined && findings.some((f) => rank(f.severity) >= rank(level));
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> & { total: number } {
  const counts = { low: 0, moderate: 0, high: 0, critical: 0, total: findings.length };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** The human report: one block per vulnerable package, then a summary line. */
export function formatFindings(findings: Finding[], summary: { packages: number; source: string }): string {
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${f.name} ${f.version}  ${f.severity}${f.dev ? '  (dev)' : ''}`);
    for (const a of f.advisories) {
      lines.push(`  ${a.severity.padEnd(8)} ${a.id}  ${a.title}`);
      const fix = a.fixedVersion ? `fixed in ${a.fixedVersion}` : 'no fixed version available';
      lines.push(`           affected ${a.vulnerableVersions}; ${fix}${a.url ? `; ${a.url}` : ''}`);
      if (a.scope) {
        const parts = [
          a.scope.modules.length > 0 ? `modules ${a.scope.modules.join(', ')}` : '',
          a.scope.functions.length > 0 ? `functions ${a.scope.functions.join(', ')}` : '',
        ].filter(Boolean);
        lines.push(`           affects only ${parts.join('; ')}`);
      }
    }
    for (const chain of f.chains) lines.push(`  via ${chain.join(' > ')}`);
    lines.push(`  installed at ${f.paths.join(', ')}`);
    lines.push(
      `  fix: ${f.fixVersion ? `upgrade to ${f.name}@${f.fixVersion}` : 'no version without a known advisory is available'}`,
    );
    if (f.reachability) {
      const r = f.reachability;
      lines.push(`  reachability: ${r.verdict === 'reachable' ? 'REACHABLE' : 'not reachable'}: ${r.reason}`);
      if (r.chain) lines.push(`    ${r.chain.join('\n    -> ')}`);
    }
    lines.push('');
  }
  const counts = countBySeverity(findings);
  const bySeverity = [...SEVERITIES]
    .reverse()
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`);
  const what = findings.length === 0 ? 'no known vulnerabilities' : `${findings.length} vulnerable (${bySeverity.join(', ')})`;
  lines.push(`${summary.packages} packages audited against ${summary.source}: ${what}`);
  return `${lines.join('\n')}\n`;
}

export interface InstallAuditOptions {
  client: RegistryClient;
  /** OSV records to read instead of asking the registry. */
  osv?: string | undefined;
  /** Abort the install when a finding is at least this serious. */
  failOn?: Severity | undefined;
  log: (line: string) => void;
}

/**
 * The `audit` hook of `gatehouse install`: called with every fetched package before anything is
 * swapped in. Findings are printed as warnings; with --fail-on a serious enough one throws, which
 * leaves node_modules as it was. A registry without advisories is a note, or an error with --fail-on
 * (the user asked for a check that cannot be made).
 */
export function installAuditHook(opts: InstallAuditOptions): (items: InstalledPackage[]) => Promise<Finding[]> {
  return async (items) => {
    const source = opts.osv ? await osvSource(opts.osv) : registrySource(opts.client);
    let findings: Finding[];
    try {
      findings = await auditPackages(items, { source, versionsOf: servedVersions(opts.client) });
    } catch (err) {
      if (!(err instanceof NoAdvisories) || opts.failOn) throw err;
      opts.log(`note: ${err.message.split('\n')[0]}; vulnerabilities were not checked`);
      return [];
    }
    for (const problem of source.problems) opts.log(`skipped ${problem}`);
    if (findings.length > 0) {
      opts.log(`warning: known vulnerabilities in what is being installed:`);
      for (const line of formatFindings(findings, { packages: items.length, source: source.label }).trimEnd().split('\n'))
        opts.log(line);
    }
    if (failsOn(findings, opts.failOn)) {
      const serious = findings.filter((f) => failsOn([f], opts.failOn)).length;
      throw new ClientError(
        `${serious} vulnerable package${serious === 1 ? '' : 's'} at or above ${opts.failOn} (--fail-on ${opts.failOn}): nothing was installed, node_modules is as it was.`,
      );
    }
    return findings;
  };
}
