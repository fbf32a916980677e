// Who is asking. Every authorization decision switches over these kinds and ends in assertNever,
// so adding a kind (a trusted publisher, say) makes the compiler list every decision to revisit.
import type { User } from './accounts/store.js';
import type { TokenRecord } from './tokens/store.js';

export type Principal = { kind: 'user'; user: User; token: TokenRecord } | { kind: 'anonymous' };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

/** A denial carries its reason, which the user is shown and the log records. */
export type Decision = { ok: true } | { ok: false; reason: string };
