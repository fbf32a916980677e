// Does a verified ID token name the identity a trust configuration allows? Matched on the
// provider's own claims, by id where the provider gives one, never by parsing `sub`: GitHub's
// immutable subject claims (default for new repositories since June 2026) changed its shape.
// Pure functions: no storage, no HTTP.
import type { TrustConfig } from './configs.js';
import type { VerifiedIdToken } from './id-token.js';

/** Events whose workflows run with another party's code in reach of the repository's secrets. */
const REFUSED_GITHUB_EVENTS = new Set(['pull_request_target', 'workflow_run']);

export type ClaimMatch = { ok: true; pinOwnerId?: string } | { ok: false };

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** npm's and PyPI's rule: these events can run a fork's code with the base repository's identity. */
export function refusedEvent(token: VerifiedIdToken): string | undefined {
  const event = str(token.claims.event_name);
  return token.provider === 'github' && event && REFUSED_GITHUB_EVENTS.has(event) ? event : undefined;
}

export function matchConfig(config: TrustConfig, token: VerifiedIdToken): ClaimMatch {
  const spec = config.spec;
  const c = token.claims;
  const no: ClaimMatch = { ok: false };
  switch (spec.type) {
    case 'github': {
      if (token.provider !== 'github') return no;
      const repository = str(c.repository);
      // GitHub repository names are case-insensitive; workflow_ref starts with the repository's name as GitHub spells it.
      if (!repository || repository.toLowerCase() !== spec.claims.repository.toLowerCase()) return no;
      const workflowPrefix = `${repository}/.github/workflows/${spec.claims.workflow_ref.file}@`;
      if (!str(c.workflow_ref)?.startsWith(workflowPrefix)) return no;
      if (spec.claims.environment !== undefined && str(c.environment) !== spec.claims.environment) return no;
      const ownerId = str(c.repository_owner_id);
      if (!ownerId) return no;
      if (spec.claims.repository_owner_id !== undefined) return ownerId === spec.claims.repository_owner_id ? { ok: true } : no;
      return { ok: true, pinOwnerId: ownerId };
    }
    case 'gitlab': {
      if (token.provider !== 'gitlab') return no;
      if (str(c.project_path) !== spec.claims.project_path) return no;
      // ci_config_ref_uri: "gitlab.com/group/project//.gitlab-ci.yml@refs/heads/main"
      const configRef = str(c.ci_config_ref_uri) ?? '';
      if (!configRef.includes(`/${spec.claims.project_path}//${spec.claims.ci_config_ref_uri.file}@`)) return no;
      if (spec.claims.ref !== undefined && str(c.ref) !== spec.claims.ref) return no;
      if (spec.claims.environment !== undefined && str(c.environment) !== spec.claims.environment) return no;
      return { ok: true };
    }
    case 'circleci': {
      if (token.provider !== 'circleci') return no;
      const k = spec.claims;
      if (str(c['oidc.circleci.com/org-id'])?.toLowerCase() !== k['oidc.circleci.com/org-id']) return no;
      if (!token.issuer.endsWith(`/${k['oidc.circleci.com/org-id']}`)) return no;
      if (str(c['oidc.circleci.com/project-id'])?.toLowerCase() !== k['oidc.circleci.com/project-id']) return no;
      const pipeline = str(c['oidc.circleci.com/pipeline-definition-id'])?.toLowerCase();
      if (pipeline !== k['oidc.circleci.com/pipeline-definition-id']) return no;
      if (str(c['oidc.circleci.com/vcs-origin']) !== k['oidc.circleci.com/vcs-origin']) return no;
      const contexts = c['oidc.circleci.com/context-ids'];
      const held = Array.isArray(contexts) ? contexts.map((id) => String(id).toLowerCase()) : [];
      if (!(k['oidc.circleci.com/context-ids'] ?? []).every((id) => held.includes(id))) return no;
      return { ok: true };
    }
    case 'custom': {
      if (token.provider !== 'custom' || token.issuer !== spec.issuer) return no;
      return Object.entries(spec.claims).every(([name, value]) => c[name] === value) ? { ok: true } : no;
    }
  }
}

/** What the version's publisher record and the events remember of the identity (no secret). */
export function identityOf(token: VerifiedIdToken): Record<string, string> {
  const keep = [
    'sub',
    'repository',
    'repository_id',
    'repository_owner_id',
    'workflow_ref',
    'sha',
    'ref',
    'environment',
    'project_path',
  ];
  const out: Record<string, string> = { issuer: token.issuer };
  for (const key of keep) {
    const value = str(token.claims[key]);
    if (value !== undefined) out[key] = value.slice(0, 300);
  }
  return out;
}
