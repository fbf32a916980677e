// The publish pipeline as named steps: parse → authorize → validate → policy → store blob →
// one transaction (version, dist-tag, event). Later tracks insert their steps here (OTP and
// trusted publishers before authorize, typosquatting in policy, malware scanning before store).
import semver from 'semver';
import hostedGitInfo from 'hosted-git-info';
import type { Repositories, Store } from '../store.js';
import { enforce, type Principal, type TokenPrincipal } from '../access/principal.js';
import type { BlobStore } from './blobs.js';
import { fail } from '../errors.js';
import { canPublish, type PackageFacts } from './authorize.js';
import { assertValidForNewPackage, newPackageNameProblems, printable, scopeOf, type PackageName } from './names.js';
import { isObject, parsePublishDocument, type VersionRequest } from './publish-document.js';
import { hasInstallHooks } from './packument.js';
import { inspectTarball, type TarballLimits, type TarballSummary } from './tarball.js';
import {
  assertJsonDepth,
  assertManifestSize,
  cappedReadme,
  servedManifest,
  withoutPrototypeKeys,
  type ManifestLimits,
} from './manifest-rules.js';
import { userActor } from '../access/actor.js';

export interface PublishDeps {
  store: Store;
  blobs: BlobStore;
  limits: TarballLimits;
  manifestLimits: ManifestLimits;
  now: () => Date;
  onChange: (name: string) => void;
}

export interface Published {
  name: PackageName;
  version: string;
  tag: string;
  integrity: string;
  /** Said in the 201 answer (npm ignores the field); e.g. a legacy name or a README that was cut. */
  warnings: string[];
}

export async function publish(deps: PublishDeps, principal: Principal, name: PackageName, body: unknown): Promise<Published> {
  const request = parsePublishDocument(name, body);
  const facts = await packageFacts(deps.store, name);
  const publisher = authorize(principal, facts);
  const legacyName = facts.pkg ? [] : checkNewName(publisher, name);
  await refuseExistingVersion(deps.store, name, request.version);
  const checked = await checkVersion(deps, request);
  const blob = await deps.blobs.put(request.tarball);
  const actor = publisher.user;
  await deps.store.transaction(async (tx) => {
    const publishedAt = deps.now().toISOString();
    // Checked again inside the transaction, under the claim's lock: a concurrent publish may have
    // claimed the name or its scope since the first check.
    await tx.packages.lockClaim(scopeOf(name) ?? name);
    const current = await packageFacts(tx, name);
    authorize(principal, current);
    if (!current.pkg && (await tx.packages.create({ name, createdAt: publishedAt }))) await tx.packages.addOwner(name, actor.id);
    const inserted = await tx.packages.insertVersion(
      {
        packageName: name,
        version: request.version,
        manifest: checked.manifest,
        integrity: request.integrity,
        shasum: request.shasum,
        blob,
        size: request.tarball.length,
        fileCount: checked.summary.fileCount,
        unpackedSize: checked.summary.unpackedSize,
        publishedAt,
        publisher: userActor(actor),
        state: 'published',
        deprecated: null,
        readme: checked.readme,
        unpublishedAt: null,
      },
      dependencyEdges(checked.manifest),
    );
    if (!inserted) versionTaken(name, request.version, await tx.packages.version(name, request.version));
    await tx.packages.setDistTag(name, request.tag, request.version);
    const searchable = request.tag === 'latest' ? searchFields(checked.manifest) : {};
    await tx.packages.touch(name, { modifiedAt: publishedAt, unpublishedAt: null, ...searchable });
    await tx.events.append({
      type: 'package.published',
      actor: userActor(actor),
      packageName: name,
      version: request.version,
      data: {
        tag: request.tag,
        integrity: request.integrity,
        size: request.tarball.length,
        ...(legacyName.length > 0 && { legacyName }),
      },
      createdAt: publishedAt,
    });
  });
  deps.onChange(name);
  const warnings = [...(legacyName.length > 0 ? [legacyNameWarning(name, legacyName)] : []), ...checked.warnings];
  return { name, version: request.version, tag: request.tag, integrity: request.integrity, warnings };
}

export interface CheckedVersion {
  /** What is stored and served: the document's fields, with the installer-facing ones from the tarball. */
  manifest: Record<string, unknown>;
  readme: string;
  summary: TarballSummary;
  warnings: string[];
}

/** The tarball inspected and held against its document, before anything is stored. Import uses it too. */
export async function checkVersion(
  deps: { limits: TarballLimits; manifestLimits: ManifestLimits },
  request: VersionRequest,
): Promise<CheckedVersion> {
  const summary = await inspectTarball(request.tarball, deps.limits);
  assertJsonDepth(summary.packageJson, "The tarball's package.json");
  summary.packageJson = withoutPrototypeKeys(summary.packageJson);
  assertManifestAgrees(request, summary);
  if (hasInstallHooks(summary.packageJson.scripts, summary)) request.manifest.hasInstallScript = true;
  const manifest = servedManifest(request.name, request.manifest, summary.packageJson, summary.hasShrinkwrap);
  assertManifestSize(manifest, deps.manifestLimits);
  const { readme, warning } = cappedReadme(request.readme || summary.readme?.text || '', deps.manifestLimits);
  return { manifest, readme, summary, warnings: warning ? [warning] : [] };
}

/**
 * A name npm accepts only for old packages (core module names, capitals) may start a package
 * only when an administrator publishes it, e.g. to carry over a package from another registry.
 * Returns the reasons, which the event records; refuses everyone else with them.
 */
function checkNewName(publisher: TokenPrincipal, name: PackageName): string[] {
  const reasons = newPackageNameProblems(name);
  if (reasons.length > 0 && !publisher.user.isAdmin) assertValidForNewPackage(name);
  return reasons;
}

export function legacyNameWarning(name: string, reasons: string[]): string {
  return `"${name}" is valid only for old packages (${reasons.join('; ')}); it was accepted because an administrator published it.`;
}

/**
 * The package and who may publish to it. The package is read first and its owners after: a
 * package and its first owner are committed together, so owners read later include them. Read in
 * the other order (or at once), a first publish committing in between shows a package with no
 * owners, and its own owner's next publish would be refused.
 */
export async function packageFacts(repos: Repositories, name: PackageName): Promise<PackageFacts> {
  const scope = scopeOf(name);
  const pkg = await repos.packages.get(name);
  const [owners, scopeOwners] = await Promise.all([
    repos.packages.owners(name),
    scope ? repos.packages.scopeOwners(scope) : Promise.resolve([]),
  ]);
  return { pkg, owners, scopeOwners, scope };
}

function authorize(principal: Principal, facts: PackageFacts): TokenPrincipal {
  return enforce(canPublish(principal, facts));
}

async function refuseExistingVersion(repos: Repositories, name: PackageName, version: string): Promise<void> {
  const existing = await repos.packages.version(name, version);
  if (existing) versionTaken(name, version, existing);
}

function versionTaken(name: string, version: string, existing: { unpublishedAt: string | null } | undefined): never {
  if (existing?.unpublishedAt) {
    fail(
      'VersionWasUnpublished',
      `${name}@${version} was published and later unpublished; a version number can never be reused. Bump the version.`,
    );
  }
  fail('VersionExists', `${name}@${version} is already published; published versions never change. Bump the version.`);
}

/** The tarball is what gets installed, so the document describing it must agree with it. */
function assertManifestAgrees(request: VersionRequest, summary: TarballSummary): void {
  const inner = summary.packageJson;
  if (inner.name !== request.name) {
    fail(
      'ManifestMismatch',
      `The tarball's package.json names "${String(inner.name)}", but this is a publish of "${request.name}".`,
    );
  }
  if (!sameVersion(inner.version, request.version)) {
    fail(
      'ManifestMismatch',
      `The tarball's package.json has version "${String(inner.version)}", but this is a publish of ${request.version}.`,
    );
  }
  // Manifest confusion: installers trust the registry's dependency list, so it must be the tarball's.
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies'] as const) {
    const difference = firstDifference(inner[field], request.manifest[field]);
    if (difference) {
      fail(
        'ManifestMismatch',
        `"${field}" in the publish document differs from the tarball's package.json: ${difference}. ` +
          'If npm said it auto-corrected your package.json, run `npm pkg fix` and publish again.',
      );
    }
  }
}

/**
 * Exact, with one exception npm forces: npm's read-package-json runs `semver.clean`, which drops
 * build metadata, so a package.json saying "0.0.1+e078aa7" is published as 0.0.1 (real case:
 * @prisma/engines-version@0.0.1). Semver gives build metadata no meaning for precedence, so that
 * is the same version. Every other spelling ("v1.0.1", " =1.0.1 ") is refused.
 */
function sameVersion(inner: unknown, published: string): boolean {
  if (inner === published) return true;
  if (typeof inner !== 'string') return false;
  const parsed = semver.parse(inner);
  return (
    parsed !== null &&
    parsed.build.length > 0 &&
    parsed.version === published &&
    inner === `${published}+${parsed.build.join('.')}`
  );
}

/** The first key whose value differs, described for the person publishing; undefined when the maps agree. */
function firstDifference(tarball: unknown, document: unknown): string | undefined {
  const left = isObject(tarball) ? tarball : {};
  const right = isObject(document) ? document : {};
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  const shown = (value: unknown) => (value === undefined ? 'nothing' : `"${printable(String(value))}"`);
  for (const key of keys) {
    if (!sameSpec(left[key], right[key]))
      return `"${printable(key)}" is ${shown(left[key])} in the tarball but ${shown(right[key])} in the document`;
  }
  return undefined;
}

/**
 * npm normalises a git host shorthand in the document it sends ("user/repo" becomes
 * "github:user/repo", as `npm pkg fix` would) but packs package.json as written. Both name the
 * same repository and commit, so they agree; any other difference is a different dependency.
 */
function sameSpec(tarball: unknown, document: unknown): boolean {
  if (tarball === document) return true;
  if (typeof tarball !== 'string' || typeof document !== 'string') return false;
  const normalised = (spec: string) => hostedGitInfo.fromUrl(spec)?.toString() ?? spec;
  return normalised(tarball) === normalised(document);
}

/**
 * What this version depends on, for the unpublish policy: package name → range. An alias
 * (`"v1": "npm:lib@^1"`) depends on `lib`, not on `v1`; two ranges on one package become one
 * `a || b` range, so a version either of them matches counts as depended on.
 */
export function dependencyEdges(manifest: Record<string, unknown>): Record<string, string> {
  const edges: Record<string, string> = {};
  for (const field of ['peerDependencies', 'optionalDependencies', 'dependencies']) {
    const map = manifest[field];
    if (!isObject(map)) continue;
    for (const [key, spec] of Object.entries(map)) {
      if (typeof spec !== 'string') continue;
      const alias = /^npm:((?:@[^/@]+\/)?[^@]+)(?:@(.*))?$/.exec(spec);
      const [dep, range] = alias ? [alias[1]!, alias[2] || '*'] : [key, spec];
      const earlier = edges[dep];
      edges[dep] = earlier === undefined || earlier === range ? range : `${earlier} || ${range}`;
    }
  }
  return edges;
}

export function searchFields(manifest: Record<string, unknown>): { description: string; keywords: string } {
  const description = typeof manifest.description === 'string' ? manifest.description.slice(0, 1000) : '';
  const keywords = Array.isArray(manifest.keywords) ? manifest.keywords.filter((k) => typeof k === 'string').join(' ') : '';
  return { description, keywords: keywords.slice(0, 1000) };
}
