// Where a request came from, as a security mail and the account's own log show it: the client's
// address and User-Agent, both from the request context. Neither is a secret (never a token, a
// cookie or a password), so an event about an account change may carry them; absent ones are
// left out of the payload.
export interface RequestOrigin {
  ip?: string;
  userAgent?: string;
}

export function originOf(context: { clientIp: string; userAgent?: string }): RequestOrigin {
  return { ip: context.clientIp || undefined, userAgent: context.userAgent || undefined };
}
