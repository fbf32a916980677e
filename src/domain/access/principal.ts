// Who is asking. Every authorization decision switches over these kinds and ends in assertNever,
// so adding a kind makes the compiler list every decision to revisit. A kind nothing creates yet
// (session, trusted publisher) is refused by every decision with PrincipalNotSupported, never allowed.
import { fail, type ErrorCode } from '../errors.js';
import type { User } from '../accounts/store.js';
import type { TokenRecord } from '../tokens/store.js';

/** A user through an API token (the Authorization header). */
export type TokenPrincipal = { kind: 'user'; user: User; token: TokenRecord };

/** A user through a web session cookie. The authentication track creates these; nothing does yet. */
export type SessionPrincipal = {
  kind: 'session';
  user: User;
  /** `passwordChangeRequired`: signed in with a leaked password, so only its change is allowed (sessions/). */
  session: { id: string; expiresAt: Date; passwordChangeRequired?: boolean };
};

/**
 * An OIDC identity (a CI workflow) allowed to publish named packages, with no user behind it:
 * the short-lived token a trusted-publishing exchange minted (domain/trust).
 */
export type TrustedPublisherPrincipal = {
  kind: 'trusted-publisher';
  /** The OIDC issuer and subject the identity token named. */
  issuer: string;
  subject: string;
  /** The only packages it may publish. */
  packages: readonly string[];
  /** Its trust configuration's id: what its publishes are recorded as (the actor). */
  publisherId: string;
  /** What the configuration allows: `publish` and/or `stage-publish`. */
  actions: readonly TrustedAction[];
  /** A pending configuration's creator, who owns the package its first publish creates. */
  ownerOnCreate?: number;
  /** The exchanged ID token's kept claims (repository, workflow_ref, sha, ref…): what the publish attestation names. */
  identity?: Readonly<Record<string, string>>;
};

export type TrustedAction = 'publish' | 'stage-publish';

export type Principal = TokenPrincipal | SessionPrincipal | TrustedPublisherPrincipal | { kind: 'anonymous' };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

/** The principal of a request whose bearer token was found: both read paths build it here. */
export function tokenPrincipal(found: { user: User; token: TokenRecord }): TokenPrincipal {
  return { kind: 'user', user: found.user, token: found.token };
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

/** Why a decision refused: each is a catalog code, so a client or a test can tell them apart. */
export type DenialCode = Extract<
  ErrorCode,
  | 'Unauthenticated'
  | 'TokenReadOnly'
  | 'EmailUnverified'
  | 'NotMaintainer'
  | 'ScopeNotYours'
  | 'PrincipalNotSupported'
  // What a granular token is limited to (domain/tokens/limits.ts).
  | 'TokenPackageRefused'
  | 'TokenAddressRefused'
  | 'TokenBypassesTwoFactor'
  | 'TrustedPublisherNotAllowed'
  // A read refused: answered as the missing package it must look like, never as a 403.
  | 'PackageNotFound'
  // org operations (domain/orgs/access.ts)
  | 'NotOrgAdmin'
  | 'NotOrgMember'
  // audit logs (domain/audit-log/authorize.ts)
  | 'AuditLogNotYours'
  // staged publishing: a stage-only token (docs/staged-publishing.md).
  | 'TokenStageOnly'
>;

/** A denial carries its code and its reason, which the user is shown and the log records. */
export type Denial = { ok: false; code: DenialCode; reason: string };

/**
 * An allowing decision hands back the principal narrowed to the kinds it allows, so a caller
 * uses what `enforce` returns and never asks "is this a user?" a second time.
 */
export type Decision<P extends Principal = Principal> = { ok: true; principal: P } | Denial;

/** The one place a refusal becomes a catalog error: throws unless `decision` allows, else returns who was allowed. */
export function enforce<P extends Principal>(decision: Decision<P>): P {
  if (!decision.ok) fail(decision.code, decision.reason);
  return decision.principal;
}

const KIND_NAMES: Record<SessionPrincipal['kind'] | TrustedPublisherPrincipal['kind'], string> = {
  session: 'a web session',
  'trusted-publisher': 'a trusted publisher',
};

/**
 * The refusal for a kind this decision does not handle yet: explicit, so enabling a kind means
 * writing its rule, never inheriting a user's by accident.
 */
export function notSupported(
  principal: SessionPrincipal | TrustedPublisherPrincipal,
  action: string,
): Denial & { code: 'PrincipalNotSupported' } {
  return {
    ok: false,
    code: 'PrincipalNotSupported',
    reason: `${KIND_NAMES[principal.kind]} cannot ${action} here; use an API token (run \`npm login\`).`,
  };
}
