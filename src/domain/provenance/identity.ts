// Does a provenance certificate's build match one of the package's trusted publishers? When a
// package has trusted publishers, provenance from any other workflow is refused: a stolen token
// could otherwise publish a version that claims a build the owners never set up. Pure.
import type { TrustConfig } from '../trust/configs.js';
import type { BuildFacts } from './certificate.js';

/** `https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main` → path + file. */
function workflowOf(buildConfig: string | undefined): { repoUrl: string; file: string } | undefined {
  if (!buildConfig) return undefined;
  const at = buildConfig.lastIndexOf('@');
  const path = at > 0 ? buildConfig.slice(0, at) : buildConfig;
  const marker = path.indexOf('/.github/workflows/');
  if (marker > 0) return { repoUrl: path.slice(0, marker), file: path.slice(marker + '/.github/workflows/'.length) };
  // GitLab: `https://gitlab.com/group/project//.gitlab-ci.yml@refs/heads/main`
  const gitlab = path.indexOf('//', 'https://'.length);
  if (gitlab > 0) return { repoUrl: path.slice(0, gitlab), file: path.slice(gitlab + 2) };
  return undefined;
}

const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function matchesTrustConfig(build: BuildFacts, config: TrustConfig): boolean {
  const workflow = workflowOf(build.buildConfig);
  const repository = build.sourceRepository;
  if (!workflow || !repository) return false;
  switch (config.spec.type) {
    case 'github':
      return (
        sameText(repository, `https://github.com/${config.spec.claims.repository}`) &&
        sameText(workflow.repoUrl, repository) &&
        workflow.file === config.spec.claims.workflow_ref.file
      );
    case 'gitlab':
      return (
        repository.toLowerCase().endsWith(`/${config.spec.claims.project_path.toLowerCase()}`) &&
        workflow.file === config.spec.claims.ci_config_ref_uri.file
      );
    // Fulcio issues no certificate naming these identities' claims: nothing to hold them to.
    case 'circleci':
    case 'custom':
      return false;
  }
}

/** A denial with its reason, or ok; a package without trusted publishers accepts any identity. */
export function identityDecision(
  build: BuildFacts,
  configs: readonly TrustConfig[],
): { ok: true } | { ok: false; reason: string } {
  if (configs.length === 0 || configs.some((c) => matchesTrustConfig(build, c))) return { ok: true };
  const built = build.buildConfig ?? build.identity;
  return { ok: false, reason: `The provenance was signed by ${built}, which is none of this package's trusted publishers.` };
}
