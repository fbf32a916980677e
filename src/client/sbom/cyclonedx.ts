// CycloneDX 1.6 JSON for a lockfile's tree. Beyond what `npm sbom` writes: each component's
// registry-signature and provenance verdicts as properties, the source repository verified
// provenance names as a `vcs` external reference, and known vulnerabilities as VEX with the
// reachability verdict (`not_affected` + `code_not_reachable` when no path imports the package).
// Property names: CycloneDX's registered `cdx:npm:package:*` taxonomy, and our own `gatehouse:*`.
import { trustKey } from '../trust/index.js';
import { isSpdxExpression, type Component } from './tree.js';
import { TOOL, timestampOf, trustSummary, uuidOf, type SbomInput, type VulnerabilityInput } from './document.js';
import { npmPurl } from '../../domain/provenance/statement.js';

const HASH_ALG: Record<string, string> = { sha512: 'SHA-512', sha384: 'SHA-384', sha256: 'SHA-256', sha1: 'SHA-1' };

type Json = Record<string, unknown>;

export function toCycloneDx(input: SbomInput): Json {
  const { tree } = input;
  const rootRef = tree.root.purl ?? `root:${tree.root.name}`;
  const vulnerabilities = (input.vulnerabilities ?? []).map((v) => vulnerability(v));
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${uuidOf(input, 'cyclonedx')}`,
    version: 1,
    metadata: {
      timestamp: timestampOf(input),
      lifecycles: [{ phase: 'build' }],
      tools: { components: [{ type: 'application', name: TOOL.name, version: TOOL.version }] },
      component: {
        type: 'application',
        'bom-ref': rootRef,
        ...nameParts(tree.root.name),
        ...(tree.root.version && { version: tree.root.version }),
        ...(tree.root.purl && { purl: tree.root.purl }),
      },
    },
    components: tree.components.map((c) => component(c, input)),
    dependencies: [
      { ref: rootRef, dependsOn: [...tree.root.dependsOn.keys()].sort() },
      ...tree.components.map((c) => ({ ref: c.purl, dependsOn: [...c.dependsOn.keys()].sort() })),
    ],
    ...(vulnerabilities.length > 0 && { vulnerabilities }),
  };
}

/** CycloneDX keeps an npm scope as the component's group (as the CycloneDX npm tools do). */
function nameParts(name: string): { group?: string; name: string } {
  const slash = name.indexOf('/');
  return name.startsWith('@') && slash > 0 ? { group: name.slice(0, slash), name: name.slice(slash + 1) } : { name };
}

function component(c: Component, input: SbomInput): Json {
  const trust = trustSummary(input.trust?.get(trustKey(c)));
  const detail = input.trust?.get(trustKey(c))?.detail;
  const properties: { name: string; value: string }[] = [
    ...c.paths.map((path) => ({ name: 'cdx:npm:package:path', value: path })),
    ...(c.dev ? [{ name: 'cdx:npm:package:development', value: 'true' }] : []),
    { name: 'gatehouse:registry-signature', value: trust.signature },
    { name: 'gatehouse:provenance', value: trust.provenance },
    ...(trust.sourceRepository ? [{ name: 'gatehouse:provenance:source-repository', value: trust.sourceRepository }] : []),
    ...(detail ? [{ name: 'gatehouse:trust-detail', value: detail }] : []),
    ...(c.integrity ? [{ name: 'gatehouse:integrity', value: c.integrity }] : []),
  ];
  const externalReferences = [
    ...(c.resolved && /^https?:\/\//.test(c.resolved) ? [{ type: 'distribution', url: c.resolved }] : []),
    ...(trust.sourceRepository
      ? [{ type: 'vcs', url: trust.sourceRepository, comment: 'the source repository named by verified build provenance' }]
      : []),
  ];
  return {
    type: 'library',
    'bom-ref': c.purl,
    ...nameParts(c.name),
    version: c.version,
    scope: c.dev ? 'excluded' : c.optional ? 'optional' : 'required',
    hashes: c.hashes.map((h) => ({ alg: HASH_ALG[h.algorithm]!, content: h.hex })),
    ...(c.license !== undefined && { licenses: licenses(c.license) }),
    purl: c.purl,
    ...(externalReferences.length > 0 && { externalReferences }),
    properties,
  };
}

function licenses(license: string): Json[] {
  return isSpdxExpression(license) ? [{ expression: license }] : [{ license: { name: license } }];
}

const SEVERITY: Record<VulnerabilityInput['severity'], string> = {
  critical: 'critical',
  high: 'high',
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
  info: 'info',
  none: 'none',
  unknown: 'unknown',
};

/** CycloneDX VEX: the finding, the version it affects, and the reachability verdict as the analysis. */
function vulnerability(v: VulnerabilityInput): Json {
  const analysis =
    v.reachable === undefined
      ? { state: 'in_triage', detail: v.reachability ?? 'reachability was not analysed' }
      : v.reachable
        ? { state: 'exploitable', detail: v.reachability ?? "the application's code imports the affected package" }
        : {
            state: 'not_affected',
            justification: 'code_not_reachable',
            detail: v.reachability ?? "no import path from the application's entry points reaches the affected package",
          };
  return {
    'bom-ref': `${v.id}@${npmPurl(v.package, v.version)}`,
    id: v.id,
    ...(v.url && { source: { url: v.url } }),
    ratings: [{ severity: SEVERITY[v.severity] }],
    ...(v.title && { description: v.title }),
    ...(v.fixedIn && { recommendation: `Upgrade ${v.package} to ${v.fixedIn} or later.` }),
    affects: [{ ref: npmPurl(v.package, v.version), versions: [{ version: v.version, status: 'affected' }] }],
    analysis,
  };
}
