// The secrets of a web session: the cookie's value, the hash a row keeps of it, and the CSRF token
// its forms carry. Imports nothing from storage or HTTP.
// Threats: a database leak must not sign anyone in (only SHA-256 of a 256-bit random secret is
// stored: no dictionary to try it against); another site must not be able to post a form as the
// user (the CSRF token is an HMAC keyed by the cookie's secret, which that site cannot read, so it
// is bound to this one session and changes when the session rotates).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type SessionSecret = string & { readonly brand: 'SessionSecret' };

export function newSessionSecret(): SessionSecret {
  return randomBytes(32).toString('base64url') as SessionSecret;
}

/** The public id a session is shown and revoked by; unrelated to its secret. */
export function newSessionId(): string {
  return randomBytes(12).toString('hex');
}

/** attacker-controlled: a cookie may hold anything; only our own shape is ever looked up. */
export function isWellFormedSecret(value: string): value is SessionSecret {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

export function hashSessionSecret(secret: SessionSecret): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function csrfToken(secret: SessionSecret): string {
  return createHmac('sha256', secret).update('gatehouse csrf v1').digest('base64url');
}

/** Constant-time, so a forger learns nothing from how long a wrong token took to refuse. */
export function csrfTokenMatches(secret: SessionSecret, sent: unknown): boolean {
  if (typeof sent !== 'string') return false;
  const expected = Buffer.from(csrfToken(secret));
  const given = Buffer.from(sent);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
