// Secret links in mails (email verification, password reset) without a secret in any event or
// table: the link carries the event's request id and an HMAC of it under a random key the
// registry keeps in its database (mail_keys). The same event always yields the same link, so a
// mail retried after a crash is the same mail. Whoever reads the database can mint links: the
// key is as sensitive as the database itself. Imports nothing from storage or http.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type LinkPurpose = 'email-verification' | 'password-reset';

export const LINK_KEY_NAME = 'links-v1';

export function newLinkKey(): string {
  return randomBytes(32).toString('hex');
}

function mac(key: string, purpose: LinkPurpose, request: string): string {
  // The purpose is bound in, so a verification link can never serve as a reset link.
  return createHmac('sha256', Buffer.from(key, 'hex')).update(`${purpose}\0${request}`).digest('base64url');
}

/** The secret part of the link for `request`: `<request>.<mac>`. */
export function linkSecret(key: string, purpose: LinkPurpose, request: string): string {
  return `${request}.${mac(key, purpose, request)}`;
}

const REQUEST = /^[0-9a-f]{32}$/;

/** A fresh request id for an event that will need a link. */
export function newRequestId(): string {
  return randomBytes(16).toString('hex');
}

/** attacker-controlled: the request id the secret proves, or undefined for anything else. */
export function requestOfSecret(key: string, purpose: LinkPurpose, secret: string): string | undefined {
  if (typeof secret !== 'string' || secret.length > 200) return undefined;
  const [request, given, ...rest] = secret.split('.');
  if (rest.length > 0 || request === undefined || given === undefined || !REQUEST.test(request)) return undefined;
  const expected = Buffer.from(mac(key, purpose, request));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? request : undefined;
}
