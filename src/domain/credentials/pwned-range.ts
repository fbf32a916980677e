// Have I Been Pwned's k-anonymity range format, shared by the HIBP client and the bundled list:
// a password is named by the first five hex characters of its SHA-1 (all that leaves this
// process); a range answer lists the other 35 of every breached hash with that prefix.
// Pure: no storage, no network. Never returns, logs or keeps the password or its full hash.
import { createHash } from 'node:crypto';

/** The 5-character upper-case hex prefix sent to a range API, and the 35-character rest kept here. */
export interface RangeKey {
  prefix: string;
  suffix: string;
}

export function rangeKey(password: string): RangeKey {
  const hash = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
  return { prefix: hash.slice(0, 5), suffix: hash.slice(5) };
}

export const RANGE_PREFIX = /^[0-9A-F]{5}$/;

/**
 * How often `suffix` was seen, from a range answer of `SUFFIX:COUNT` lines. With `Add-Padding: true`
 * the answer also holds made-up suffixes with count 0, so that its size says nothing about the
 * prefix: those are not breaches, and neither is a line that does not parse.
 */
export function breachCount(rangeBody: string, suffix: string): number {
  // attacker-controlled (a proxy or a hostile range server): parse defensively, never throw
  for (const line of rangeBody.split('\n')) {
    const colon = line.indexOf(':');
    if (colon !== 35 || line.slice(0, 35).toUpperCase() !== suffix) continue;
    const count = Number(line.slice(36).trim());
    return Number.isSafeInteger(count) && count > 0 ? count : 0;
  }
  return 0;
}
