// What a signed-in browser changes on its own account pages: the TOTP second factor and its
// recovery codes, the password, the email address. Each goes through the domain operation npm's
// profile API uses (the same rules, events and mails); the web adds the session around it: a
// change of privilege gives the browser a new session id, so a cookie copied before it is worth
// nothing after. The one-time code typed in a form travels as the request's code, exactly where
// npm sends it (`npm-otp`). Never returns a secret except the new cookie and the recovery codes,
// to the one page that shows them once.
import type { RequestContext } from '../access/context.js';
import type { EmailChange } from '../accounts/email-change.js';
import type { MfaService, MfaStatus } from '../mfa/service.js';
import type { ProfileService } from '../mfa/profile.js';
import type { MfaLevel } from '../mfa/store.js';
import type { SessionService } from './service.js';
import type { SessionSecret } from './secrets.js';
import { enforce, type SessionPrincipal } from '../access/principal.js';
import { canUseWebAccount } from '../accounts/authorize.js';
import { fail } from '../errors.js';

export interface AccountChangesDeps {
  sessions: SessionService;
  mfa: MfaService;
  profile: ProfileService;
  emailChange: EmailChange;
}

/** What starting a set-up gives the page: the otpauth URL to show, or the level an existing factor changed to. */
export type TotpStart = { otpauthUrl: string } | { changedTo: MfaLevel; secret: SessionSecret };

// attacker-controlled: form fields may be missing, repeated (an array) or anything else.
function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function level(value: unknown): MfaLevel {
  if (value !== 'auth-only' && value !== 'auth-and-writes') {
    fail('BadRequest', 'Choose when the code is asked: at sign-in only, or at sign-in and for every change.');
  }
  return value;
}

/** The request as the domain sees it, with the form's code where npm would have sent `npm-otp`. */
function withCode(context: RequestContext, code: unknown): RequestContext {
  return { ...context, otp: text(code) };
}

/**
 * A session signed in with a password the breach screen flagged may do one thing: change it.
 * Every web page and form asks this first (http/web/password-change.ts).
 */
export function mustChangePasswordFirst(principal: SessionPrincipal): boolean {
  return principal.session.passwordChangeRequired === true;
}

export class AccountChanges {
  constructor(private readonly deps: AccountChangesDeps) {}

  private user(context: RequestContext, action: string) {
    return enforce(canUseWebAccount(context.principal, action)).user;
  }

  async twoFactor(context: RequestContext): Promise<MfaStatus> {
    return this.deps.mfa.status(this.user(context, 'see your second factor'));
  }

  /** Starts a TOTP set-up (refused under `mfaNewFactors=webauthn-only`), or changes a confirmed factor's level (with a code). */
  async startTotp(context: RequestContext, password: unknown, rawLevel: unknown, code?: unknown): Promise<TotpStart> {
    const user = this.user(context, 'set up two-factor authentication');
    const result = await this.deps.mfa.enable(user, withCode(context, code), password, level(rawLevel));
    if ('otpauthUrl' in result) return result;
    return { changedTo: result.changedTo, secret: await this.deps.sessions.rotate(context) };
  }

  /** The first code from the app confirms the set-up: ten recovery codes, shown once, and a new session. */
  async confirmTotp(context: RequestContext, code: unknown): Promise<{ recoveryCodes: string[]; secret: SessionSecret }> {
    const user = this.user(context, 'set up two-factor authentication');
    const typed = text(code);
    if (!typed) fail('OtpRequired', 'Type the six-digit code your authenticator app shows now.');
    const recoveryCodes = await this.deps.mfa.confirm(user, context, typed);
    return { recoveryCodes, secret: await this.deps.sessions.rotate(context) };
  }

  /** Removes the factor and its recovery codes: the password and a current code (or a recovery code). */
  async disableTotp(context: RequestContext, password: unknown, code: unknown): Promise<SessionSecret> {
    const user = this.user(context, 'turn off two-factor authentication');
    await this.deps.mfa.disable(user, withCode(context, code), password);
    return this.deps.sessions.rotate(context);
  }

  /** Ten new recovery codes replace the old ones; needs a current code. */
  async regenerateRecoveryCodes(context: RequestContext, code: unknown): Promise<string[]> {
    const user = this.user(context, 'make new recovery codes');
    const typed = text(code);
    if (!typed) fail('OtpRequired', 'Type a current code from your authenticator app to make new recovery codes.');
    return this.deps.mfa.regenerateRecoveryCodes(user, context, typed);
  }

  /**
   * The current password, a new one the breach screen accepts, and a code when the account has a
   * second factor. The change ends every session of the account (registry.ts wires that into the
   * password change itself, for npm's profile API too); this browser continues in a new one,
   * free of the leaked-password restriction.
   */
  async changePassword(context: RequestContext, current: unknown, next: unknown, code: unknown): Promise<SessionSecret> {
    const user = this.user(context, 'change your password');
    await this.deps.profile.changePassword(user, withCode(context, code), { old: current, new: next });
    return this.deps.sessions.rotate(context, { passwordChanged: true });
  }

  /** A new address with the current password (and a code): verification link, mails to both, the read-only lock. */
  async changeEmail(context: RequestContext, email: unknown, password: unknown, code: unknown): Promise<SessionSecret> {
    const user = this.user(context, 'change your email address');
    const before = user.email;
    const changed = await this.deps.emailChange.change(user, withCode(context, code), email, password);
    if (changed.email === before) fail('BadRequest', 'That is already the address of this account.');
    return this.deps.sessions.rotate(context);
  }
}
