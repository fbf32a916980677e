// One line naming what a trust configuration trusts, for events, mails and the web page.
import type { TrustSpec } from './configs.js';

export function describeSpec(spec: TrustSpec): string {
  switch (spec.type) {
    case 'github':
      return `GitHub Actions: ${spec.claims.repository}, workflow ${spec.claims.workflow_ref.file}${
        spec.claims.environment ? `, environment ${spec.claims.environment}` : ''
      }`;
    case 'gitlab':
      return `GitLab CI: ${spec.claims.project_path}, ${spec.claims.ci_config_ref_uri.file}${
        spec.claims.environment ? `, environment ${spec.claims.environment}` : ''
      }`;
    case 'circleci':
      return `CircleCI: project ${spec.claims['oidc.circleci.com/project-id']} (${spec.claims['oidc.circleci.com/vcs-origin']})`;
    case 'custom':
      return `${spec.issuer}: ${Object.entries(spec.claims)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`;
  }
}
