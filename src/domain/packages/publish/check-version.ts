// The tarball inspected and held against the document describing it, before anything is stored.
// Publish (the inspect-tarball step) and `gatehouse import` both use it, so an imported version
// passes exactly the checks a published one does.
import semver from 'semver';
import hostedGitInfo from 'hosted-git-info';
import { fail } from '../../errors.js';
import { printable } from '../names.js';
import { isObject, type VersionRequest } from '../publish-document.js';
import { hasInstallHooks } from '../packument.js';
import { inspectTarball, type TarballLimits, type TarballSummary } from '../tarball.js';
import type { InspectorFactory } from '../tarball-inspectors.js';
import {
  assertJsonDepth,
  assertManifestSize,
  cappedReadme,
  servedManifest,
  withoutPrototypeKeys,
  type ManifestLimits,
} from '../manifest-rules.js';

export interface CheckedVersion {
  /** What is stored and served: the document's fields, with the installer-facing ones from the tarball. */
  manifest: Record<string, unknown>;
  readme: string;
  summary: TarballSummary;
  warnings: string[];
}

/** The tarball inspected and held against its document, before anything is stored. Import uses it too. */
export async function checkVersion(
  deps: {
    limits: TarballLimits;
    manifestLimits: ManifestLimits;
    inspectors: readonly InspectorFactory[];
    inspectBudgetMs: number;
    now: () => Date;
  },
  request: VersionRequest,
): Promise<CheckedVersion> {
  const summary = await inspectTarball(request.tarball, deps.limits, {
    inspectors: deps.inspectors,
    budgetMs: deps.inspectBudgetMs,
    now: () => deps.now().getTime(),
  });
  assertJsonDepth(summary.packageJson, "The tarball's package.json");
  summary.packageJson = withoutPrototypeKeys(summary.packageJson);
  assertManifestAgrees(request, summary);
  if (hasInstallHooks(summary.packageJson.scripts, summary)) request.manifest.hasInstallScript = true;
  const manifest = servedManifest(request.name, request.manifest, summary.packageJson, summary.hasShrinkwrap);
  assertManifestSize(manifest, deps.manifestLimits);
  const { readme, warning } = cappedReadme(request.readme || summary.readme?.text || '', deps.manifestLimits);
  return { manifest, readme, summary, warnings: warning ? [warning] : [] };
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
