// Username rules: what may appear in `npm whoami`, in maintainers lists and in URLs unescaped.
import { fail } from '../errors.js';

const USERNAME = /^[a-z0-9][a-z0-9._-]{0,38}$/;

export function parseUsername(raw: unknown): string {
  if (typeof raw !== 'string' || !USERNAME.test(raw)) {
    fail(
      'BadRequest',
      'A username is 1 to 39 characters of lower-case letters, digits, ".", "_" or "-", starting with a letter or digit.',
    );
  }
  return raw;
}

export function parseEmail(raw: unknown): string {
  // attacker-controlled: a plausibility check only; ownership is proven by the verification link.
  if (typeof raw !== 'string' || raw.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw)) {
    fail('BadRequest', 'Give an email address such as name@example.com.');
  }
  return raw;
}

/** Longest password accepted, in UTF-8 bytes: enough for any passphrase or manager-made secret. */
export const MAX_PASSWORD_BYTES = 1024;

/**
 * attacker-controlled: checked before any hashing, because normalising and hashing cost time per
 * byte (a 20 MB password took 650 ms of a hashing thread). Minimum lengths are a creation rule only.
 */
export function parsePassword(raw: unknown): string {
  if (typeof raw !== 'string') fail('BadRequest', 'Give the password as a single text value.');
  if (Buffer.byteLength(raw, 'utf8') > MAX_PASSWORD_BYTES) {
    fail('PasswordTooLong', `A password may be at most ${MAX_PASSWORD_BYTES} bytes (UTF-8) long.`);
  }
  return raw;
}
