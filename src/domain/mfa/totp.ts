// TOTP as RFC 6238 defines it and every authenticator app implements it: HMAC-SHA-1, 6 digits,
// 30-second steps, through the otpauth library (no hand-written truncation). A code is accepted
// for the step before and after the current one (clock drift); which step matched is returned so
// the caller can refuse a replay. Imports nothing from storage or http; never logs a code or secret.
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
const DIGITS = 6;
/** Steps either side of now a code may come from (RFC 6238 §5.2 recommends at most one). */
const WINDOW = 1;
/** 160 bits, the HMAC-SHA-1 block's natural key size (RFC 4226 §4 asks for at least 128). */
const SECRET_BYTES = 20;

/** Base32 without padding, as otpauth:// URLs and authenticator apps expect. */
export type TotpSecret = string & { readonly brand: 'TotpSecret' };

export function newTotpSecret(): TotpSecret {
  return new Secret({ size: SECRET_BYTES }).base32 as TotpSecret;
}

function totp(secret: TotpSecret, account = '', issuer = ''): TOTP {
  return new TOTP({
    issuer,
    label: account,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

/** The Key URI an authenticator app scans (npm prints it and reads `secret` from it). */
export function otpauthUrl(secret: TotpSecret, account: string, issuer: string): string {
  return totp(secret, account, issuer).toString();
}

/** The 30-second step `ms` falls in. */
export function stepAt(ms: number): number {
  return Math.floor(ms / 1000 / TOTP_PERIOD_SECONDS);
}

/** A TOTP code as typed: exactly six digits. */
export function looksLikeTotp(code: string): boolean {
  return /^[0-9]{6}$/.test(code);
}

/** The step whose code `code` is, within one step of `nowMs`; undefined when it matches none. */
export function matchingStep(secret: TotpSecret, code: string, nowMs: number): number | undefined {
  if (!looksLikeTotp(code)) return undefined;
  const delta = totp(secret).validate({ token: code, timestamp: nowMs, window: WINDOW });
  return delta === null ? undefined : stepAt(nowMs) + delta;
}

/** The code for the step `ms` falls in (tests, and nothing else, compute codes). */
export function codeAt(secret: TotpSecret, ms: number): string {
  return totp(secret).generate({ timestamp: ms });
}
