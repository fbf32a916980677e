// Recovery codes: ten random codes shown once, kept only as SHA-256 hashes. Each carries 60 bits
// from the CSPRNG, so a fast hash is enough (nobody can enumerate 2^60 per account, and the guess
// guard limits tries); a slow password hash would only make every check costly. Imports nothing
// from storage or http.
import { createHash, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
/** Crockford-like: no 0/O or 1/I/L to misread when typed from paper. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUP = 6;

/** xxxxxx-xxxxxx (12 characters from 31: about 59 bits). */
export function newRecoveryCode(): string {
  const pick = () => Array.from({ length: GROUP }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${pick()}-${pick()}`;
}

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
}

/** The code as typed: case, spaces and dashes do not matter. undefined when it cannot be one. */
export function normaliseRecoveryCode(typed: string): string | undefined {
  const plain = typed.toLowerCase().replace(/[\s-]/g, '');
  if (plain.length !== GROUP * 2 || [...plain].some((c) => !ALPHABET.includes(c))) return undefined;
  return `${plain.slice(0, GROUP)}-${plain.slice(GROUP)}`;
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(`gatehouse-recovery:${code}`).digest('hex');
}
