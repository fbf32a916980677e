// Creating a token on purpose: `npm token create` (POST /-/npm/v1/tokens), the account page and
// the API. The request names what the token is limited to: permissions (scopes.ts), packages,
// scopes and orgs (an org is its scope: org "acme" is `@acme`), an expiry in days (a default and
// a maximum) and CIDR ranges; limits.ts enforces them. It needs the account's password, and a
// one-time password when the account uses auth-and-writes. Bad input is refused before the
// password is checked, so a typo never costs a guess; nothing is written unless everything passed.
// attacker-controlled: the body is parsed defensively; the password never reaches a log or an event.
import type { RequestContext } from '../access/context.js';
import type { KeyApprovals } from '../mfa/writes.js';
import type { SecondFactor } from '../access/second-factor.js';
import type { User } from '../accounts/store.js';
import type { AccountRestrictions } from '../accounts/restrictions.js';
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { TokenRecord } from './store.js';
import { enforce, type Denial } from '../access/principal.js';
import { canActAsUser } from '../accounts/authorize.js';
import { fail } from '../errors.js';
import { parsePackageName } from '../packages/names.js';
import { parseCidr } from '../access/cidr.js';
import { ALL_SCOPES, READ_ONLY_SCOPES, STAGE_ONLY_SCOPES, isTokenScope, tokenAllows, type TokenScope } from './scopes.js';
import { bypassDenial, packageLimitDenial } from './limits.js';
import type { TokenService } from './service.js';

export interface TokenRequest {
  name: string;
  scopes: readonly TokenScope[];
  /** Package names and `@scope`s; null: every package the owner may use. */
  packages: readonly string[] | null;
  cidrs: readonly string[] | null;
  expiresDays: number;
  bypass2fa: boolean;
}

export interface ExpiryPolicy {
  /** tokenDefaultDays */
  defaultDays: number;
  /** tokenMaxDays */
  maxDays: number;
}

export interface GranularTokensDeps {
  store: Store;
  clock: Clock;
  tokens: TokenService;
  secondFactor: SecondFactor;
  /** A key-guarded account approves `npm token create` with its key in the browser (domain/webauthn). */
  keyApprovals?: KeyApprovals;
  restrictions: AccountRestrictions;
  checkPassword: (user: User, password: unknown, context: RequestContext) => Promise<void>;
  expiry: ExpiryPolicy;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const NAME_MAX = 100;
const LIST_MAX = 100;
const SCOPE = /^@[a-z0-9][a-z0-9._~-]*$/;
const ORG = /^[a-z0-9][a-z0-9._~-]*$/;
/** npm's granular permission for packages, scopes and orgs, as the scopes it stands for here. */
const PERMISSIONS: Record<string, readonly TokenScope[]> = { 'read-only': READ_ONLY_SCOPES, 'read-write': ALL_SCOPES };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;

function stringList(value: unknown, field: string): string[] {
  if (absent(value)) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length > LIST_MAX || !list.every((v) => typeof v === 'string')) {
    fail('TokenLimitInvalid', `"${field}" must be a list of at most ${LIST_MAX} strings.`);
  }
  return list.map((v) => v.trim()).filter((v) => v !== '');
}

function permissionOf(value: unknown, field: string): readonly TokenScope[] | undefined {
  if (absent(value)) return undefined;
  const scopes = typeof value === 'string' ? PERMISSIONS[value] : undefined;
  if (!scopes) fail('TokenPermissionUnknown', `"${field}" is read-only or read-write here.`);
  return scopes;
}

/** The permissions asked for: Gatehouse's own list, npm's granular permission, or npm's older flag. */
function scopesOf(body: Record<string, unknown>): readonly TokenScope[] {
  if (!absent(body.permissions)) {
    const list = body.permissions;
    if (!Array.isArray(list) || list.length === 0 || !list.every(isTokenScope)) {
      fail('TokenPermissionUnknown', 'Permissions are a non-empty list of read, publish, manage and stage.');
    }
    return [...new Set(list)];
  }
  // Gatehouse's own field (npm token create cannot say it): a CI token that can only stage.
  if (body.stage_only === true) return STAGE_ONLY_SCOPES;
  const packages = permissionOf(body.packages_and_scopes_permission, 'packages_and_scopes_permission');
  const orgs = permissionOf(body.orgs_permission, 'orgs_permission');
  if (packages && orgs && packages !== orgs) {
    fail('TokenPermissionUnknown', 'Give packages, scopes and orgs the same permission: a token here has one.');
  }
  if (body.readonly === true) return READ_ONLY_SCOPES;
  return packages ?? orgs ?? ALL_SCOPES;
}

function packagesOf(body: Record<string, unknown>): readonly string[] | null {
  const names = stringList(body.packages, 'packages').map((raw) => parsePackageName(raw) as string);
  const scopes = stringList(body.scopes, 'scopes').map((raw) => {
    const scope = raw.startsWith('@') ? raw : `@${raw}`;
    if (!SCOPE.test(scope)) fail('TokenLimitInvalid', `"${scope.slice(0, 60)}" is not a scope (like @acme).`);
    return scope;
  });
  const orgs = stringList(body.orgs, 'orgs').map((org) => {
    if (!ORG.test(org)) fail('TokenLimitInvalid', `"${org.slice(0, 60)}" is not an org name.`);
    return `@${org}`;
  });
  const all = [...new Set([...names, ...scopes, ...orgs])];
  if (body.packages_all === true && all.length > 0) {
    fail('TokenLimitInvalid', 'A token is either for all packages or for the packages, scopes and orgs listed, not both.');
  }
  return all.length > 0 ? all : null;
}

function cidrsOf(value: unknown): readonly string[] | null {
  if (absent(value)) return null;
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || list.length > LIST_MAX) fail('TokenCidrInvalid', `Send at most ${LIST_MAX} CIDR ranges as a list.`);
  const ranges = list.map((entry) => {
    if (typeof entry !== 'string' || !parseCidr(entry.trim()))
      fail('TokenCidrInvalid', `"${String(entry).slice(0, 60)}" is not a CIDR range (like 10.0.0.0/8 or fd00::/8).`);
    return entry.trim();
  });
  return ranges.length > 0 ? ranges : null;
}

function expiryOf(value: unknown, policy: ExpiryPolicy): number {
  // A default above the maximum (a setting's typo) gives the maximum, never a longer life.
  if (absent(value) || value === '') return Math.min(policy.defaultDays, policy.maxDays);
  const days = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) {
    fail('TokenExpiryInvalid', 'The expiry is a whole number of days, at least 1.');
  }
  if (days > policy.maxDays) fail('TokenExpiryInvalid', `Tokens here expire within ${policy.maxDays} days; ask for fewer.`);
  return days;
}

function nameOf(value: unknown): string {
  if (absent(value)) return '';
  if (typeof value !== 'string') fail('BadRequest', 'The token name must be a string.');
  return value
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim()
    .slice(0, NAME_MAX);
}

/** The token a request body asks for; refuses bad input with its catalog code. */
export function parseTokenRequest(body: unknown, policy: ExpiryPolicy): TokenRequest {
  if (!isRecord(body)) fail('BadRequest', 'Send the token request as a JSON object.');
  if (!absent(body.bypass_2fa) && typeof body.bypass_2fa !== 'boolean') fail('BadRequest', '"bypass_2fa" is true or false.');
  return {
    name: nameOf(body.name),
    scopes: scopesOf(body),
    packages: packagesOf(body),
    cidrs: cidrsOf(body.cidr_whitelist),
    expiresDays: expiryOf(body.expires, policy),
    bypass2fa: body.bypass_2fa === true,
  };
}

const passwordOf = (body: unknown) => (isRecord(body) ? body.password : undefined);

/** A token may make another only if it could do everything the new one can: no widening. */
function wideningDenial(asker: TokenRecord, wanted: TokenRequest): Denial | undefined {
  const limited = bypassDenial(asker, 'create tokens') ?? packageLimitDenial(asker, undefined);
  if (limited) return limited;
  if (wanted.scopes.every((scope) => tokenAllows(asker, scope)) && asker.cidrs === null) return undefined;
  return { ok: false, code: 'TokenReadOnly', reason: 'This token is limited; create new tokens with a token from `npm login`.' };
}

export class GranularTokens {
  constructor(private readonly deps: GranularTokensDeps) {}

  /** `npm token create`: checks, then issues the token; returns its one-time secret and record. */
  async create(context: RequestContext, body: unknown) {
    const { user, token } = enforce(canActAsUser(context.principal, 'create a token'));
    const wanted = parseTokenRequest(body, this.deps.expiry);
    const widening = wideningDenial(token, wanted);
    if (widening) enforce(widening);
    return this.issue(user, context, wanted, passwordOf(body), undefined, true);
  }

  /** The account page (a signed-in browser, whose own decision ran): the same checks but widening; `code` from the form. */
  async createForWeb(user: User, context: RequestContext, body: unknown, code?: string) {
    return this.issue(user, context, parseTokenRequest(body, this.deps.expiry), passwordOf(body), code);
  }

  private async issue(
    user: User,
    context: RequestContext,
    wanted: TokenRequest,
    password: unknown,
    code?: string,
    fromCli = false,
  ) {
    if (!user.emailVerified) fail('EmailUnverified', 'Verify your email address before creating tokens.');
    await this.deps.restrictions.check(user, 'tokens');
    await this.deps.checkPassword(user, password, context);
    if (await this.deps.secondFactor.required(user, 'writes')) await this.deps.secondFactor.verify(user, context, code);
    // The account page's form runs in a session its key opened; a CLI's request approves with the key now.
    else if (fromCli && (await this.deps.keyApprovals?.required(user)))
      await this.deps.keyApprovals?.verify(user, context, 'tokens');
    const expiresAt = new Date(this.deps.clock.now() + wanted.expiresDays * DAY_MS).toISOString();
    return this.deps.store.transaction((tx) =>
      this.deps.tokens.create(tx, user, {
        scopes: wanted.scopes,
        expiresAt,
        reason: 'token create',
        kind: 'automation',
        limits: { name: wanted.name, packages: wanted.packages, cidrs: wanted.cidrs, bypass2fa: wanted.bypass2fa },
      }),
    );
  }
}
