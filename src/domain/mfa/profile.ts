// npm's profile API (/-/npm/v1/user), as npm-profile's get/set and lib/commands/profile.js use
// it: the profile, two-factor set-up in two steps, disabling it, and a password change. Every
// field npm may send is named here; anything else, or a field this registry does not change
// through npm, is refused with ProfileFieldUnsupported and changes nothing.
// attacker-controlled: `body` is parsed defensively; passwords and codes never reach a log or an answer.
import type { RequestContext } from '../access/context.js';
import type { User } from '../accounts/store.js';
import type { PasswordScreen } from '../accounts/password-screen.js';
import { enforce } from '../access/principal.js';
import { canActAsUser } from '../accounts/authorize.js';
import { bypassDenial } from '../tokens/limits.js';
import { parsePassword } from '../accounts/names.js';
import { fail } from '../errors.js';
import type { MfaService, MfaStatus } from './service.js';
import type { TotpSecondFactor } from './second-factor.js';
import type { MfaLevel } from './store.js';

/** What GET /-/npm/v1/user answers; npm prints the keys it knows and any others as they are. */
export interface Profile {
  name: string;
  email: string;
  email_verified: boolean;
  tfa: MfaStatus;
  created: string;
  updated: string;
}

/** What POST /-/npm/v1/user answers: the profile, or a two-factor step's result in `tfa`. */
export type ProfileAnswer = Profile | { tfa: string | string[] | { pending: false; mode: MfaLevel } };

export interface ProfileDeps {
  mfa: MfaService;
  secondFactor: TotpSecondFactor;
  screen: PasswordScreen;
  checkPassword: (user: User, password: unknown, context: RequestContext) => Promise<void>;
  /** `context` says where the change came from, for its mail. */
  setPassword: (user: User, password: string, context: RequestContext) => Promise<void>;
  /** npm profile set email: the new address with the current password (domain/accounts/email-change.ts). */
  changeEmail?: (user: User, context: RequestContext, email: unknown, password: unknown) => Promise<User>;
}

/** `npm profile set` sends every writable key back (null where empty); these we do not keep. */
const UNKEPT_FIELDS = ['fullname', 'homepage', 'freenode', 'twitter', 'github'];
const LEVELS: readonly string[] = ['auth-only', 'auth-and-writes'];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEmpty = (v: unknown) => v === undefined || v === null || v === '';

export class ProfileService {
  constructor(private readonly deps: ProfileDeps) {}

  async get(context: RequestContext): Promise<Profile> {
    const { user } = enforce(canActAsUser(context.principal, 'see your profile'));
    return this.profileOf(user);
  }

  async update(context: RequestContext, body: unknown): Promise<ProfileAnswer> {
    const { user, token } = enforce(canActAsUser(context.principal, 'change your profile'));
    const bypass = bypassDenial(token, 'change the account');
    if (bypass) enforce(bypass);
    if (!isRecord(body)) fail('BadRequest', 'Send the profile changes as a JSON object.');
    if ('tfa' in body) return this.twoFactor(user, context, body);
    return this.setFields(user, context, body);
  }

  private async profileOf(user: User): Promise<Profile> {
    return {
      name: user.name,
      email: user.email,
      email_verified: user.emailVerified,
      tfa: await this.deps.mfa.status(user),
      created: user.createdAt,
      updated: user.createdAt,
    };
  }

  /** {tfa: {password, mode}} starts, changes or disables; {tfa: [code]} confirms a set-up. */
  private async twoFactor(user: User, context: RequestContext, body: Record<string, unknown>): Promise<ProfileAnswer> {
    const others = Object.keys(body).filter((key) => key !== 'tfa');
    if (others.length > 0)
      fail('ProfileFieldUnsupported', `Change two-factor settings on their own, without ${others.join(', ')}.`);
    const tfa = body.tfa;
    if (Array.isArray(tfa)) {
      if (tfa.length !== 1 || typeof tfa[0] !== 'string') fail('BadRequest', 'Send {"tfa": ["<code from your app>"]}.');
      return { tfa: await this.deps.mfa.confirm(user, context, tfa[0]) };
    }
    if (!isRecord(tfa) || typeof tfa.mode !== 'string')
      fail('BadRequest', 'Send {"tfa": {"password": ..., "mode": "auth-and-writes"}}.');
    const unknown = Object.keys(tfa).filter((key) => key !== 'password' && key !== 'mode');
    if (unknown.length > 0) fail('ProfileFieldUnsupported', `Unknown two-factor field ${unknown.join(', ')}.`);
    if (tfa.mode === 'disable') {
      await this.deps.mfa.disable(user, context, tfa.password);
      return this.profileOf(user);
    }
    if (!LEVELS.includes(tfa.mode)) fail('BadRequest', 'The two-factor mode is auth-only, auth-and-writes or disable.');
    const result = await this.deps.mfa.enable(user, context, tfa.password, tfa.mode as MfaLevel);
    return 'otpauthUrl' in result ? { tfa: result.otpauthUrl } : { tfa: { pending: false, mode: result.changedTo } };
  }

  /**
   * `npm profile set <key> <value>`: a password change, or an address change. npm sends every
   * writable key back; for an address change `password` is the current password as a string (a
   * password change sends it as {old, new}).
   */
  private async setFields(user: User, context: RequestContext, body: Record<string, unknown>): Promise<Profile> {
    const newEmail = !isEmpty(body.email) && body.email !== user.email;
    for (const [key, value] of Object.entries(body)) {
      if (key === 'password' || key === 'email') continue;
      if (!UNKEPT_FIELDS.includes(key)) fail('ProfileFieldUnsupported', `"${key}" is not a profile field here.`);
      if (!isEmpty(value)) fail('ProfileFieldUnsupported', `This registry does not keep "${key}"; only the password can be set.`);
    }
    if (newEmail) {
      if (!this.deps.changeEmail) fail('ProfileFieldUnsupported', 'The email address cannot be changed through npm here.');
      return this.profileOf(await this.deps.changeEmail(user, context, body.email, body.password));
    }
    if (!isEmpty(body.password)) await this.changePassword(user, context, body.password);
    return this.profileOf(user);
  }

  /** A password change, `{old, new}`: npm profile set password, and the account page (web sessions). */
  async changePassword(user: User, context: RequestContext, change: unknown): Promise<void> {
    if (!isRecord(change)) fail('BadRequest', 'Send {"password": {"old": ..., "new": ...}}.');
    const next = parsePassword(change.new);
    await this.deps.checkPassword(user, change.old, context);
    // Screened before the code is asked for, so a refused password does not spend a code.
    if (await this.deps.screen.isLeaked(next)) {
      fail(
        'PasswordLeaked',
        'That password appears in known data breaches; choose another (a passphrase of several random words works well).',
      );
    }
    // Any enrolled factor guards account changes, whichever mode it is in (as npm's registry does).
    if (await this.deps.secondFactor.required(user, 'auth')) await this.deps.secondFactor.verify(user, context);
    await this.deps.setPassword(user, next, context);
  }
}
