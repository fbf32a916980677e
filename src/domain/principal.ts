// Who is asking. Every authorization decision switches over these kinds and ends in assertNever,
// so adding a kind (a trusted publisher, say) makes the compiler list every decision to revisit.
import { fail, type ErrorCode } from './errors.js';
import type { User } from './accounts/store.js';
import type { TokenRecord } from './tokens/store.js';

export type Principal = { kind: 'user'; user: User; token: TokenRecord } | { kind: 'anonymous' };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

/** Why a decision refused: each is a catalog code, so a client or a test can tell them apart. */
export type DenialCode = Extract<
  ErrorCode,
  'Unauthenticated' | 'TokenReadOnly' | 'EmailUnverified' | 'NotMaintainer' | 'ScopeNotYours'
>;

/** A denial carries its code and its reason, which the user is shown and the log records. */
export type Decision = { ok: true } | { ok: false; code: DenialCode; reason: string };

/** The one place a refusal becomes a catalog error: throws unless `decision` allows. */
export function enforce<D extends Decision>(decision: D): asserts decision is Extract<D, { ok: true }> {
  if (!decision.ok) fail(decision.code, decision.reason);
}
