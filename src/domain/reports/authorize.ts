// Who may report, moderate, and read a report. One function per decision, answering for every
// kind of principal and ending in assertNever; an allowing decision hands back the signed-in
// user, a refusal its catalog code and reason. Never throws (`enforceReport` does).
import { assertNever, type Principal, type SessionPrincipal, type TokenPrincipal } from '../access/principal.js';
import type { User } from '../accounts/store.js';
import { fail, type ErrorCode } from '../errors.js';
import { isReadOnly } from '../tokens/scopes.js';
import type { MessageRole, ReportRecord } from './store.js';
import type { RequestContext } from '../access/context.js';

export type ReportDecision =
  | { ok: true; principal: TokenPrincipal | SessionPrincipal; user: User }
  | { ok: false; code: ErrorCode; reason: string };

export function enforceReport(decision: ReportDecision): User {
  if (!decision.ok) fail(decision.code, decision.reason);
  return decision.user;
}

/**
 * Filing a report: a person signed in with a verified address (the outcome is mailed to it),
 * through a token that can write or the web UI. Read-only tokens (CI installs) cannot file.
 */
export function canReport(principal: Principal): ReportDecision {
  switch (principal.kind) {
    case 'anonymous':
      return { ok: false, code: 'Unauthenticated', reason: 'Sign in to report a package (`npm login`, or /login on the web).' };
    case 'user':
      if (isReadOnly(principal.token))
        return { ok: false, code: 'TokenReadOnly', reason: 'This token is read-only; reporting needs a token that can write.' };
      return verified(principal);
    case 'session':
      return verified(principal);
    case 'trusted-publisher':
      return { ok: false, code: 'PrincipalNotSupported', reason: 'A trusted publisher cannot file reports; a person must.' };
    default:
      return assertNever(principal);
  }
}

function verified(principal: TokenPrincipal | SessionPrincipal): ReportDecision {
  if (!principal.user.emailVerified)
    return {
      ok: false,
      code: 'EmailUnverified',
      reason: 'Verify your email address first: the outcome of a report is mailed to it.',
    };
  return { ok: true, principal, user: principal.user };
}

/** The moderation queue and its actions: administrators, through a full token or the web UI. */
export function canModerate(principal: Principal): ReportDecision {
  switch (principal.kind) {
    case 'anonymous':
      return { ok: false, code: 'Unauthenticated', reason: 'Sign in as an administrator to moderate reports.' };
    case 'user':
    case 'session': {
      if (!principal.user.isAdmin) return { ok: false, code: 'ModeratorsOnly', reason: 'Only administrators moderate reports.' };
      if (principal.kind === 'user' && isReadOnly(principal.token))
        return { ok: false, code: 'TokenReadOnly', reason: 'This token is read-only; moderating needs a token that can write.' };
      return { ok: true, principal, user: principal.user };
    }
    case 'trusted-publisher':
      return { ok: false, code: 'PrincipalNotSupported', reason: 'A trusted publisher cannot moderate reports.' };
    default:
      return assertNever(principal);
  }
}

/**
 * Reading a report and its thread: its reporter, administrators, and, for a vulnerability,
 * the package's maintainers (that is how it reaches them privately). Anyone else is told there
 * is no such report, so ids cannot be probed. Returns the role the reader writes as.
 */
export function canReadReport(
  principal: Principal,
  report: ReportRecord,
  owners: User[],
): { ok: true; user: User; role: MessageRole } | { ok: false; code: ErrorCode; reason: string } {
  const hidden = { ok: false as const, code: 'ReportNotFound' as const, reason: `There is no report ${report.id} you can see.` };
  switch (principal.kind) {
    case 'anonymous':
      return { ok: false, code: 'Unauthenticated', reason: 'Sign in to read this report.' };
    case 'user':
    case 'session': {
      const user = principal.user;
      if (user.id === report.reporterId) return { ok: true, user, role: 'reporter' };
      if (user.isAdmin) return { ok: true, user, role: 'admin' };
      if (report.reason === 'vulnerable' && owners.some((o) => o.id === user.id)) return { ok: true, user, role: 'maintainer' };
      return hidden;
    }
    case 'trusted-publisher':
      return hidden;
    default:
      return assertNever(principal);
  }
}

/** The administrator's second factor before a moderation action (domain/mfa/writes.ts `moderation`); `code` is a web form's. */
export type ModerationCheck = (context: RequestContext, code?: string) => Promise<void>;

/**
 * A moderation action (reports and quarantine alike): an administrator (canModerate) who then
 * gives a second factor, from `npm-otp` or the form's `code` field in `body`.
 */
export async function moderator(context: RequestContext, body: unknown, check: ModerationCheck): Promise<User> {
  const admin = enforceReport(canModerate(context.principal));
  const code = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).code : undefined;
  await check(context, typeof code === 'string' && code.trim() !== '' ? code : undefined);
  return admin;
}
