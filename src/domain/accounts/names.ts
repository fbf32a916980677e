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
