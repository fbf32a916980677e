// Request contexts for tests that call domain operations directly, as the HTTP edge would build
// them (src/http/request-context.ts) for a request from this machine.
import { ANONYMOUS, type Principal } from '../../src/domain/access/principal.js';
import type { RequestContext } from '../../src/domain/access/context.js';
import type { Authenticated } from '../../src/domain/tokens/service.js';
import { isGatehouseError, type ErrorCode } from '../../src/domain/errors.js';

export function contextOf(principal: Principal): RequestContext {
  return { principal, clientIp: '127.0.0.1', userAgent: 'vitest', otp: undefined, requestId: 'test' };
}

export const ANONYMOUS_CONTEXT: RequestContext = contextOf(ANONYMOUS);

/** The context of a request sent with a token that authenticated as `found`. */
export function tokenContext(found: Authenticated | undefined): RequestContext {
  if (!found) throw new Error('the token did not authenticate');
  return contextOf({ kind: 'user', user: found.user, token: found.token });
}

/** The catalog code a domain call was refused with, or 'resolved' when it was not refused. */
export async function codeOf(promise: Promise<unknown>): Promise<ErrorCode | 'resolved'> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    if (!isGatehouseError(err)) throw err;
    return err.code;
  }
}
