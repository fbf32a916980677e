// The shape of a Gatehouse token: `gth_` + 30 random base62 characters + a 6-character base62
// CRC32 of those 30. The prefix lets secret scanners find our tokens; the checksum lets them
// (and us) reject look-alikes without a database lookup. Imports nothing from storage or http.
import { hash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'gth_';
const BODY_LENGTH = 30;
const CHECKSUM_LENGTH = 6;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export type TokenHash = string & { readonly brand: 'TokenHash' };

function base62(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function generateToken(): string {
  // Rejection sampling keeps every character uniform: 248 is the largest multiple of 62 ≤ 256.
  let body = '';
  while (body.length < BODY_LENGTH) {
    for (const byte of randomBytes(BODY_LENGTH)) {
      if (byte < 248 && body.length < BODY_LENGTH) body += ALPHABET[byte % 62];
    }
  }
  return `${TOKEN_PREFIX}${body}${base62(crc32(body), CHECKSUM_LENGTH)}`;
}

/** True when the string has our prefix, length, alphabet and a matching checksum. */
export function isWellFormedToken(token: string): boolean {
  if (token.length !== TOKEN_PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH) return false;
  if (!token.startsWith(TOKEN_PREFIX)) return false;
  const body = token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + BODY_LENGTH);
  const checksum = token.slice(TOKEN_PREFIX.length + BODY_LENGTH);
  if (!/^[0-9A-Za-z]+$/.test(body + checksum)) return false;
  return base62(crc32(body), CHECKSUM_LENGTH) === checksum;
}

/** A token has 178 bits of entropy, so one SHA-256 is a sound hash: no slow KDF is needed per request. */
export function hashToken(token: string): TokenHash {
  // One-shot hash (Node ≥ 20.12): this runs on every authenticated read, cached or not.
  return hash('sha256', token, 'hex') as TokenHash;
}

/** What listings show: the prefix and the first characters, never enough to use. */
export function displayToken(token: string): string {
  return `${token.slice(0, TOKEN_PREFIX.length + 4)}…`;
}
