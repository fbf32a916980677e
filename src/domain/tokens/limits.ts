// What a granular token is limited to beyond its scopes: packages and `@scope`s, CIDR ranges, and
// the bypass rule. Every decision asks here (packages/authorize.ts for reads, publishes and
// changes; auth.ts and fast-reads.ts for the address on both read paths; the account, profile and
// owner decisions for the bypass rule), so a limit is enforced the same way everywhere.
// The limits only ever narrow: the owner's current rights are still checked on every request.
import { BlockList } from 'node:net';
import type { Denial } from '../access/principal.js';
import { addCidr, listed, parseCidr } from '../access/cidr.js';
import type { TokenRecord } from './store.js';

type Limited = Pick<TokenRecord, 'packages' | 'cidrs' | 'bypass2fa'>;

/** True when `entry` (an exact name or `@scope`) covers the package `name`. */
function covers(entry: string, name: string): boolean {
  return entry.startsWith('@') && !entry.includes('/') ? name.startsWith(`${entry}/`) : entry === name;
}

/**
 * Refuses a token limited to other packages. `name` undefined (a decision that names no one
 * package, such as creating a token) is refused for any limited token: it would act beyond its limit.
 */
export function packageLimitDenial(token: Limited, name: string | undefined): Denial | undefined {
  if (token.packages === null) return undefined;
  if (name !== undefined && token.packages.some((entry) => covers(entry, name))) return undefined;
  const what = name === undefined ? 'this' : `"${name}"`;
  return {
    ok: false,
    code: 'TokenPackageRefused',
    reason: `This token is limited to ${token.packages.join(', ')}; it cannot act on ${what}.`,
  };
}

/** Refuses a token limited to packages and scopes that does not list the org (org "acme" is `@acme`). */
export function orgLimitDenial(token: Limited, org: string): Denial | undefined {
  if (token.packages === null || token.packages.includes(`@${org}`)) return undefined;
  return {
    ok: false,
    code: 'TokenPackageRefused',
    reason: `This token is limited to ${token.packages.join(', ')}; it cannot change the org ${org}.`,
  };
}

// Each cached token record keeps its parsed ranges, so a request costs one BlockList check.
const ranges = new WeakMap<Limited, BlockList>();

function rangesOf(token: Limited, cidrs: readonly string[]): BlockList {
  let list = ranges.get(token);
  if (!list) {
    list = new BlockList();
    // Stored ranges were checked when the token was made; one that no longer parses allows nothing.
    for (const entry of cidrs) {
      const cidr = parseCidr(entry);
      if (cidr) addCidr(list, cidr);
    }
    ranges.set(token, list);
  }
  return list;
}

/** Refuses a token used from outside its CIDR ranges (`clientIp` as the request context has it). */
export function addressLimitDenial(token: Limited, clientIp: string): Denial | undefined {
  if (token.cidrs === null || listed(rangesOf(token, token.cidrs), clientIp)) return undefined;
  return {
    ok: false,
    code: 'TokenAddressRefused',
    reason: 'This token cannot be used from your address (its CIDR ranges do not include it).',
  };
}

/**
 * A token that publishes without a second factor (bypass2fa: see docs/tokens.md) can never change
 * the account (profile, e-mail, password, MFA), create tokens, or change owners, orgs or teams:
 * stolen from CI, it can ship a version, but never lock its owner out or keep itself alive.
 */
export function bypassDenial(token: Limited, action: string): Denial | undefined {
  if (!token.bypass2fa) return undefined;
  return {
    ok: false,
    code: 'TokenBypassesTwoFactor',
    reason: `This token publishes without a second factor, so it cannot ${action}. Use a token from \`npm login\`.`,
  };
}
