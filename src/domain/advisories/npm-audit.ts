// The two answers npm's audit endpoints give, built from stored advisories. Pure: no storage, no HTTP.
// - bulk (npm 7+, pnpm 11+): `{ name: [advisory] }`, the fields @npmcli/metavuln-calculator reads.
// - quick (npm 6's shape, which pnpm 10 posts): `advisories` by id with `findings` paths,
//   `module_name`, `patched_versions`, and `metadata.vulnerabilities` counts per severity (pnpm 10
//   prints every one of these; plugin-commands-audit reads them without checking).
// attacker-controlled request bodies: shapes are checked and sizes bounded before any lookup.
import { fail } from '../errors.js';
import type { StoredAdvisory } from './store.js';
import { isAffected } from './ranges.js';
import { SEVERITIES, type Severity } from './severity.js';

/** How many packages, versions per package and tree nodes one request may name. */
export const AUDIT_LIMITS = { names: 20_000, versionsPerName: 1_000, nodes: 100_000, depth: 200 };

export type BulkRequest = Map<string, string[]>;

export interface BulkAdvisory {
  id: number;
  url: string;
  title: string;
  severity: Severity;
  vulnerable_versions: string;
  cwe: string[];
  cvss: { score: number; vectorString: string | null };
  /** Not read by npm; carried to `npm audit --json` for people who look. */
  github_advisory_id?: string;
  osv_id: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ "<name>": ["<version>", …] }` as npm's arborist sends it (audit-report.js prepareBulkData). */
export function parseBulkRequest(body: unknown): BulkRequest {
  if (!isObject(body)) fail('AuditRequestInvalid', 'The audit body must be a JSON object of package names to lists of versions.');
  const entries = Object.entries(body);
  if (entries.length > AUDIT_LIMITS.names)
    fail('AuditRequestInvalid', `An audit may name at most ${AUDIT_LIMITS.names} packages.`);
  const out: BulkRequest = new Map();
  for (const [name, versions] of entries) {
    if (!Array.isArray(versions) || !versions.every((v) => typeof v === 'string'))
      fail('AuditRequestInvalid', `The versions of "${name.slice(0, 100)}" must be a list of strings.`);
    if (versions.length > AUDIT_LIMITS.versionsPerName)
      fail('AuditRequestInvalid', `An audit may name at most ${AUDIT_LIMITS.versionsPerName} versions of one package.`);
    out.set(name, versions as string[]);
  }
  return out;
}

function ghsaOf(advisory: StoredAdvisory): string | undefined {
  return [advisory.id, ...advisory.aliases].find((a) => a.startsWith('GHSA-'));
}

/** The advisories affecting at least one asked version of each name; names with none are left out. */
export function bulkAnswer(request: BulkRequest, advisories: StoredAdvisory[]): Record<string, BulkAdvisory[]> {
  const out: Record<string, BulkAdvisory[]> = Object.create(null) as Record<string, BulkAdvisory[]>;
  for (const advisory of advisories) {
    for (const pkg of advisory.packages) {
      const versions = request.get(pkg.name) ?? [];
      if (!versions.some((v) => isAffected(v, pkg.range))) continue;
      (out[pkg.name] ??= []).push({
        id: advisory.number,
        url: advisory.url,
        title: advisory.summary || advisory.id,
        severity: advisory.severity,
        vulnerable_versions: pkg.range,
        cwe: advisory.cwe,
        cvss: advisory.cvss ?? { score: 0, vectorString: null },
        github_advisory_id: ghsaOf(advisory),
        osv_id: advisory.id,
      });
    }
  }
  return out;
}

/** One installed package in the legacy tree: where it sits (`a>b`) and which version. */
export interface TreeNode {
  name: string;
  version: string;
  path: string;
}

/**
 * The nodes of an npm 6 / pnpm 10 audit tree: `{ dependencies: { name: { version, dependencies } } }`.
 * pnpm puts each workspace project (".", "packages__a") as a top-level node; it counts like any other.
 */
export function treeNodes(body: unknown): TreeNode[] {
  if (!isObject(body)) fail('AuditRequestInvalid', 'The audit body must be a JSON object (npm 6 audit tree).');
  const out: TreeNode[] = [];
  const walk = (deps: unknown, prefix: string, depth: number) => {
    if (deps === undefined || deps === null) return;
    if (!isObject(deps)) fail('AuditRequestInvalid', '"dependencies" must be an object of package names.');
    if (depth > AUDIT_LIMITS.depth) fail('AuditRequestInvalid', `The audit tree is nested deeper than ${AUDIT_LIMITS.depth}.`);
    for (const [name, node] of Object.entries(deps)) {
      if (!isObject(node)) fail('AuditRequestInvalid', `The entry for "${name.slice(0, 100)}" must be an object.`);
      const path = prefix ? `${prefix}>${name}` : name;
      if (typeof node.version === 'string') out.push({ name, version: node.version, path });
      if (out.length > AUDIT_LIMITS.nodes)
        fail('AuditRequestInvalid', `An audit tree may hold at most ${AUDIT_LIMITS.nodes} packages.`);
      walk(node.dependencies, path, depth + 1);
    }
  };
  walk(body.dependencies, '', 0);
  return out;
}

interface Finding {
  version: string;
  paths: string[];
}

/** npm 6's quick-audit report, as pnpm 10 prints it and `pnpm audit --fix` turns into overrides. */
export function quickAnswer(nodes: TreeNode[], advisories: StoredAdvisory[]) {
  const report: Record<string, unknown> = {};
  const counts: Record<Severity | 'info', number> = { info: 0, low: 0, moderate: 0, high: 0, critical: 0 };
  for (const advisory of advisories) {
    for (const pkg of advisory.packages) {
      const findings = new Map<string, Finding>();
      for (const node of nodes) {
        if (node.name !== pkg.name || !isAffected(node.version, pkg.range)) continue;
        const finding = findings.get(node.version) ?? { version: node.version, paths: [] };
        finding.paths.push(node.path);
        findings.set(node.version, finding);
      }
      if (findings.size === 0) continue;
      counts[advisory.severity] += [...findings.values()].reduce((n, f) => n + f.paths.length, 0);
      // One entry per advisory and package; an advisory naming two installed packages needs two keys.
      const key = advisory.packages.length > 1 ? `${advisory.number}-${pkg.name}` : String(advisory.number);
      report[key] = {
        id: advisory.number,
        title: advisory.summary || advisory.id,
        module_name: pkg.name,
        severity: advisory.severity,
        vulnerable_versions: pkg.range,
        patched_versions: pkg.patched,
        url: advisory.url,
        github_advisory_id: ghsaOf(advisory),
        cves: advisory.aliases.filter((a) => a.startsWith('CVE-')),
        cwe: advisory.cwe,
        cvss: advisory.cvss ?? { score: 0, vectorString: null },
        overview: advisory.details,
        recommendation: pkg.fixed.length > 0 ? `Upgrade to version ${pkg.fixed[0]} or later` : 'No fixed version is known',
        references: advisory.url,
        access: 'public',
        created: advisory.published ?? advisory.modified,
        updated: advisory.modified,
        deleted: null,
        findings: [...findings.values()],
      };
    }
  }
  const names = new Set(nodes.map((n) => `${n.name}@${n.version}`));
  return {
    actions: [],
    advisories: report,
    muted: [],
    metadata: {
      vulnerabilities: counts,
      dependencies: names.size,
      devDependencies: 0,
      optionalDependencies: 0,
      totalDependencies: names.size,
    },
  };
}

/** Severities from the most to the least serious, for pages. */
export function bySeverity<T extends { severity: Severity }>(items: T[]): T[] {
  return [...items].sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity));
}
