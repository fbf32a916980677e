// Trust configurations as `npm trust github|gitlab|circleci` sends them (npm/lib/commands/trust/*.js)
// and as the API and web page take them: parsed once here into typed values. Imports nothing from
// storage or http. attacker-controlled: every field is checked for type and length.
import { fail } from '../errors.js';

/** npm's permission names (npm/lib/trust-cmd.js PERMISSIONS). */
export const TRUST_PERMISSIONS = ['createPackage', 'createStagedPackage'] as const;
export type TrustPermission = (typeof TRUST_PERMISSIONS)[number];

export type GithubClaims = {
  repository: string;
  /** Pinned on the first exchange when not given: a repository name can be re-registered, its owner's id cannot. */
  repository_owner_id?: string;
  workflow_ref: { file: string };
  environment?: string;
};
export type GitlabClaims = {
  project_path: string;
  ci_config_ref_uri: { file: string };
  ref?: string;
  environment?: string;
};
export type CircleciClaims = {
  'oidc.circleci.com/org-id': string;
  'oidc.circleci.com/project-id': string;
  'oidc.circleci.com/pipeline-definition-id': string;
  'oidc.circleci.com/vcs-origin': string;
  'oidc.circleci.com/context-ids'?: string[];
};
/** An admin-listed issuer: every named claim must equal its value exactly. */
export type CustomClaims = Record<string, string>;

export type TrustSpec =
  | { type: 'github'; claims: GithubClaims }
  | { type: 'gitlab'; claims: GitlabClaims }
  | { type: 'circleci'; claims: CircleciClaims }
  | { type: 'custom'; issuer: string; claims: CustomClaims };

export type TrustConfigInput = TrustSpec & { permissions: TrustPermission[]; packages: string[] };

export interface TrustConfig {
  id: string;
  spec: TrustSpec;
  permissions: TrustPermission[];
  packages: string[];
  createdBy: number;
  createdAt: string;
  /** Set while the package does not exist yet; the configuration lapses then. */
  pendingUntil: string | null;
}

/** What an admin lists for an issuer of their own (config `oidcIssuers`). */
export interface CustomIssuer {
  issuer: string;
  /** Claim names every configuration for this issuer must match on (the claim rules). */
  claims: string[];
}

const MAX_TEXT = 200;
const MAX_PACKAGES = 50;

function invalid(message: string): never {
  fail('TrustConfigInvalid', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, what: string, pattern?: RegExp): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT) {
    invalid(`${what} must be a non-empty string of at most ${MAX_TEXT} characters.`);
  }
  if (pattern && !pattern.test(value)) invalid(`${what} "${value.slice(0, 60)}" is not in the expected form.`);
  return value;
}

function optionalText(value: unknown, what: string): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : text(value, what);
}

const OWNER_REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const GROUP_PROJECT = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;
const WORKFLOW_FILE = /^[A-Za-z0-9_.-]+\.ya?ml$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIGITS = /^[0-9]{1,20}$/;

function fileOf(value: unknown, what: string): { file: string } {
  if (!isObject(value)) invalid(`${what} must be an object with a "file".`);
  return { file: text(value.file, `${what}.file`) };
}

function githubClaims(c: Record<string, unknown>): GithubClaims {
  const file = fileOf(c.workflow_ref, 'claims.workflow_ref');
  if (!WORKFLOW_FILE.test(file.file)) invalid('The workflow must be a file name in .github/workflows ending in .yml or .yaml.');
  const ownerId = optionalText(c.repository_owner_id, 'claims.repository_owner_id');
  if (ownerId !== undefined && !DIGITS.test(ownerId)) invalid('claims.repository_owner_id is a number (GitHub’s owner id).');
  const environment = optionalText(c.environment, 'claims.environment');
  return {
    repository: text(c.repository, 'claims.repository (owner/repo)', OWNER_REPO),
    workflow_ref: file,
    ...(ownerId !== undefined && { repository_owner_id: ownerId }),
    ...(environment !== undefined && { environment }),
  };
}

function gitlabClaims(c: Record<string, unknown>): GitlabClaims {
  const ref = optionalText(c.ref, 'claims.ref');
  const environment = optionalText(c.environment, 'claims.environment');
  return {
    project_path: text(c.project_path, 'claims.project_path (group/project)', GROUP_PROJECT),
    ci_config_ref_uri: fileOf(c.ci_config_ref_uri, 'claims.ci_config_ref_uri'),
    ...(ref !== undefined && { ref }),
    ...(environment !== undefined && { environment }),
  };
}

function circleciClaims(c: Record<string, unknown>): CircleciClaims {
  const uuid = (key: string) => text(c[key], `claims["${key}"]`, UUID).toLowerCase();
  const contexts = c['oidc.circleci.com/context-ids'];
  if (contexts !== undefined && (!Array.isArray(contexts) || contexts.length > 20)) {
    invalid('claims["oidc.circleci.com/context-ids"] must be a list of at most 20 context ids.');
  }
  return {
    'oidc.circleci.com/org-id': uuid('oidc.circleci.com/org-id'),
    'oidc.circleci.com/project-id': uuid('oidc.circleci.com/project-id'),
    'oidc.circleci.com/pipeline-definition-id': uuid('oidc.circleci.com/pipeline-definition-id'),
    'oidc.circleci.com/vcs-origin': text(c['oidc.circleci.com/vcs-origin'], 'claims["oidc.circleci.com/vcs-origin"]'),
    ...(Array.isArray(contexts) &&
      contexts.length > 0 && {
        'oidc.circleci.com/context-ids': contexts.map((id) => text(id, 'a context id', UUID).toLowerCase()),
      }),
  };
}

function customClaims(c: Record<string, unknown>, issuer: string, issuers: readonly CustomIssuer[]): TrustSpec {
  const listed = issuers.find((i) => i.issuer === issuer);
  if (!listed) invalid(`The issuer ${issuer.slice(0, 100)} is not one this registry's administrators allow.`);
  const claims: CustomClaims = {};
  for (const [key, value] of Object.entries(c).slice(0, 20)) claims[text(key, 'a claim name')] = text(value, `claims.${key}`);
  const missing = listed.claims.filter((name) => claims[name] === undefined);
  if (missing.length > 0) invalid(`A configuration for ${issuer} must match on ${missing.join(', ')}.`);
  if (Object.keys(claims).length === 0) invalid('Name at least one claim to match.');
  return { type: 'custom', issuer, claims };
}

function permissionsOf(value: unknown): TrustPermission[] {
  if (!Array.isArray(value) || value.length === 0) {
    invalid(
      'Say what the publisher may do: "permissions" lists createPackage and/or createStagedPackage (--allow-publish, --allow-stage-publish).',
    );
  }
  const out = new Set<TrustPermission>();
  for (const p of value) {
    if (!(TRUST_PERMISSIONS as readonly unknown[]).includes(p)) invalid(`Unknown permission "${String(p).slice(0, 40)}".`);
    out.add(p as TrustPermission);
  }
  return [...out];
}

/** One configuration from a request body; `pkg` is the package in the address, always covered. */
export function parseTrustConfig(value: unknown, pkg: string, issuers: readonly CustomIssuer[]): TrustConfigInput {
  if (!isObject(value)) invalid('A trust configuration is a JSON object with "type", "claims" and "permissions".');
  if (!isObject(value.claims)) invalid('"claims" must be an object.');
  const extra = value.packages;
  if (extra !== undefined && (!Array.isArray(extra) || extra.length > MAX_PACKAGES)) {
    invalid(`"packages" is a list of at most ${MAX_PACKAGES} package names.`);
  }
  const packages = [...new Set([pkg, ...((extra as unknown[] | undefined) ?? []).map((p) => text(p, 'a package name'))])];
  const permissions = permissionsOf(value.permissions);
  switch (value.type) {
    case 'github':
      return { type: 'github', claims: githubClaims(value.claims), permissions, packages };
    case 'gitlab':
      return { type: 'gitlab', claims: gitlabClaims(value.claims), permissions, packages };
    case 'circleci':
      return { type: 'circleci', claims: circleciClaims(value.claims), permissions, packages };
    case 'custom':
      return { ...customClaims(value.claims, text(value.issuer, '"issuer"'), issuers), permissions, packages };
    default:
      invalid('"type" is github, gitlab, circleci or custom.');
  }
}

/** The body `npm trust` sends is an array with one configuration; the API may send one object. */
export function parseTrustBody(body: unknown, pkg: string, issuers: readonly CustomIssuer[]): TrustConfigInput[] {
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0 || items.length > 10) invalid('Send between one and ten trust configurations.');
  return items.map((item) => parseTrustConfig(item, pkg, issuers));
}

/** The answer npm's `bodyToOptions` reads: its own shape, with our `id` and the extra fields. */
export function trustConfigJson(config: TrustConfig): Record<string, unknown> {
  return {
    id: config.id,
    type: config.spec.type,
    ...(config.spec.type === 'custom' && { issuer: config.spec.issuer }),
    claims: config.spec.claims,
    permissions: config.permissions,
    packages: config.packages,
    ...(config.pendingUntil && { pendingUntil: config.pendingUntil }),
  };
}

/** The admin setting `oidcIssuers`: a JSON list of `{ "issuer": "https://…", "claims": ["…"] }`. */
export function parseCustomIssuers(raw: string): CustomIssuer[] {
  if (raw.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('oidcIssuers must be a JSON list of {"issuer": "https://…", "claims": ["…"]}.');
  }
  if (!Array.isArray(parsed)) throw new Error('oidcIssuers must be a JSON list.');
  return parsed.map((entry: unknown) => {
    if (!isObject(entry) || typeof entry.issuer !== 'string' || !/^https?:\/\/[^/]/.test(entry.issuer)) {
      throw new Error('Each oidcIssuers entry needs an "issuer" URL.');
    }
    const claims = Array.isArray(entry.claims) ? entry.claims.filter((c): c is string => typeof c === 'string') : [];
    if (claims.length === 0)
      throw new Error(`oidcIssuers: ${entry.issuer} needs "claims", the claim names every configuration must match.`);
    return { issuer: entry.issuer.replace(/\/+$/, ''), claims };
  });
}
