// SPDX 2.3 JSON for a lockfile's tree: one package per name@version with its purl, checksums from
// the lockfile's integrity, its declared license (NOASSERTION when unknown), and the dependency
// edges as relationships. Beyond `npm sbom`: the registry-signature and provenance verdicts as a
// package annotation, the repository verified provenance names as `sourceInfo`, and each known
// vulnerability as a SECURITY advisory reference with its reachability verdict in the comment.
import { trustKey } from '../trust/index.js';
import { isSpdxExpression, type Component, type DependencyKind } from './tree.js';
import { TOOL, timestampOf, trustSummary, uuidOf, type SbomInput, type VulnerabilityInput } from './document.js';

const CHECKSUM: Record<string, string> = { sha512: 'SHA512', sha384: 'SHA384', sha256: 'SHA256', sha1: 'SHA1' };
const NOASSERTION = 'NOASSERTION';

type Json = Record<string, unknown>;

export function toSpdx(input: SbomInput): Json {
  const { tree } = input;
  const created = timestampOf(input);
  const annotator = `Tool: ${TOOL.name}-${TOOL.version}`;
  const ids = spdxIds(tree.components);
  const rootId = 'SPDXRef-Package-root';
  const byPurl = new Map<string, VulnerabilityInput[]>();
  for (const v of input.vulnerabilities ?? []) {
    const key = `${v.package}@${v.version}`;
    byPurl.set(key, [...(byPurl.get(key) ?? []), v]);
  }
  const rootName = tree.root.name;
  const packages: Json[] = [
    {
      SPDXID: rootId,
      name: rootName,
      ...(tree.root.version && { versionInfo: tree.root.version }),
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      licenseConcluded: NOASSERTION,
      licenseDeclared: NOASSERTION,
      copyrightText: NOASSERTION,
      primaryPackagePurpose: 'APPLICATION',
      ...(tree.root.purl && { externalRefs: [purlRef(tree.root.purl)] }),
    },
    ...tree.components.map((c) => spdxPackage(c, ids.get(c.purl)!, input, byPurl.get(trustKey(c)) ?? [], created, annotator)),
  ];
  const relationships: Json[] = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: rootId },
    ...edges(rootId, tree.root.dependsOn, ids),
    ...tree.components.flatMap((c) => edges(ids.get(c.purl)!, c.dependsOn, ids)),
  ];
  const version = tree.root.version ? `-${tree.root.version}` : '';
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${rootName}${version}`,
    documentNamespace: `https://spdx.org/spdxdocs/${encodeURIComponent(rootName)}${version}-${uuidOf(input, 'spdx')}`,
    creationInfo: { created, creators: [annotator] },
    documentDescribes: [rootId],
    packages,
    relationships,
  };
}

/** SPDXIDs allow only letters, digits, `.` and `-`; a collision after that gets a counter. */
function spdxIds(components: readonly Component[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const c of components) {
    const base = `SPDXRef-Package-${`${c.name}-${c.version}`.replace(/[^A-Za-z0-9.-]+/g, '-')}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    ids.set(c.purl, id);
  }
  return ids;
}

function purlRef(purl: string): Json {
  return { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl };
}

/** How a dependency was declared decides the relationship (SPDX 2.3 §11.1), pointing from the dependency for dev and optional. */
function edges(from: string, dependsOn: Map<string, DependencyKind>, ids: Map<string, string>): Json[] {
  return [...dependsOn]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([purl, kind]) => {
      const to = ids.get(purl)!;
      if (kind === 'dev') return { spdxElementId: to, relationshipType: 'DEV_DEPENDENCY_OF', relatedSpdxElement: from };
      if (kind === 'optional') return { spdxElementId: to, relationshipType: 'OPTIONAL_DEPENDENCY_OF', relatedSpdxElement: from };
      return { spdxElementId: from, relationshipType: 'DEPENDS_ON', relatedSpdxElement: to };
    });
}

function spdxPackage(
  c: Component,
  id: string,
  input: SbomInput,
  vulnerabilities: readonly VulnerabilityInput[],
  created: string,
  annotator: string,
): Json {
  const trust = trustSummary(input.trust?.get(trustKey(c)));
  const detail = input.trust?.get(trustKey(c))?.detail;
  const trustComment = [
    `registry signature: ${trust.signature}`,
    `provenance: ${trust.provenance}`,
    ...(trust.sourceRepository ? [`source repository: ${trust.sourceRepository}`] : []),
    ...(detail ? [`detail: ${detail}`] : []),
  ].join('; ');
  return {
    SPDXID: id,
    name: c.name,
    versionInfo: c.version,
    downloadLocation: c.resolved && /^https?:\/\//.test(c.resolved) ? c.resolved : NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: c.license !== undefined && isSpdxExpression(c.license) ? c.license : NOASSERTION,
    copyrightText: NOASSERTION,
    primaryPackagePurpose: 'LIBRARY',
    checksums: c.hashes.map((h) => ({ algorithm: CHECKSUM[h.algorithm]!, checksumValue: h.hex })),
    ...(trust.sourceRepository && {
      sourceInfo: `built from ${trust.sourceRepository}, as its verified build provenance says`,
    }),
    externalRefs: [
      purlRef(c.purl),
      ...vulnerabilities.map((v) => ({
        referenceCategory: 'SECURITY',
        referenceType: 'advisory',
        referenceLocator: v.url ?? v.id,
        comment: vulnerabilityComment(v),
      })),
    ],
    annotations: [{ annotationDate: created, annotationType: 'OTHER', annotator, comment: trustComment }],
  };
}

function vulnerabilityComment(v: VulnerabilityInput): string {
  const reach = v.reachable === undefined ? 'reachability not analysed' : v.reachable ? 'reachable (imported)' : 'not reachable';
  return [
    `${v.id} (${v.severity})`,
    ...(v.title ? [v.title] : []),
    ...(v.fixedIn ? [`fixed in ${v.fixedIn}`] : []),
    reach,
    ...(v.reachability ? [v.reachability] : []),
  ].join('; ');
}
