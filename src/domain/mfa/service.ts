// Enrolling and removing TOTP, and the recovery codes that come with it, as npm's two-step
// `npm profile enable-2fa` does: the password starts a pending enrolment and returns the otpauth
// URL; the first code from the app confirms it and returns ten recovery codes, shown only then.
// Every change is one transaction with its event; changing or removing a confirmed factor needs
// the password and a valid code. The secret leaves this module only inside the otpauth URL.
import type { RequestContext } from '../access/context.js';
import type { User } from '../accounts/store.js';
import type { Repositories, Store } from '../store.js';
import { userActor } from '../access/actor.js';
import { fail } from '../errors.js';
import { dateOf, type Clock } from '../clock.js';
import { newTotpSecret, otpauthUrl } from './totp.js';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes.js';
import { sealSecret, type SecretKey } from './secret-box.js';
import type { TotpSecondFactor } from './second-factor.js';
import type { MfaLevel } from './store.js';
import type { AccountRestrictions } from '../accounts/restrictions.js';
import { originOf, type RequestOrigin } from '../events/origin.js';

/** Which kinds of second factor a user may newly set up (existing ones keep working either way). */
export type NewFactorsPolicy = 'any' | 'webauthn-only';

export interface MfaServiceDeps {
  store: Store;
  clock: Clock;
  key: SecretKey;
  secondFactor: TotpSecondFactor;
  /** Checks the account password (the accounts domain, through its hashing bound and guard). */
  checkPassword: (user: User, password: unknown, context: RequestContext) => Promise<void>;
  /** The issuer an authenticator app shows next to the account (the registry's host). */
  issuer: () => string;
  newFactors: NewFactorsPolicy;
  /** While the account is read-only after risky recovery, its second factors cannot change. */
  restrictions?: AccountRestrictions;
}

/** What npm's profile shows: no factor, one being set up, or one in force. */
export type MfaStatus = { pending: boolean; mode: MfaLevel } | null;

export type EnableResult = { otpauthUrl: string } | { changedTo: MfaLevel };

export class MfaService {
  constructor(private readonly deps: MfaServiceDeps) {}

  private now(): string {
    return dateOf(this.deps.clock).toISOString();
  }

  async status(user: User): Promise<MfaStatus> {
    const found = await this.deps.store.mfa.totp(user.id);
    return found ? { pending: found.confirmedAt === null, mode: found.level } : null;
  }

  /**
   * `npm profile enable-2fa <level>`, first request. With no factor (or a pending one) it starts a
   * new enrolment; with a confirmed one it changes the level, which needs a valid code too.
   */
  async enable(user: User, context: RequestContext, password: unknown, level: MfaLevel): Promise<EnableResult> {
    await this.deps.restrictions?.check(user, 'mfa');
    await this.deps.checkPassword(user, password, context);
    const confirmed = await this.deps.secondFactor.enrolment(user);
    if (confirmed) {
      await this.deps.secondFactor.verify(user, context);
      if (confirmed.level === level) return { changedTo: level };
      await this.deps.store.transaction(async (tx) => {
        await tx.mfa.setLevel(user.id, level);
        await tx.events.append({
          type: 'mfa.enabled',
          actor: userActor(user),
          data: { method: 'totp', level, ...originOf(context) },
          createdAt: this.now(),
        });
      });
      return { changedTo: level };
    }
    if (this.deps.newFactors === 'webauthn-only') {
      fail(
        'MfaFactorNotAllowed',
        'This registry accepts only security keys and passkeys as a new second factor: add one on your account page in the web interface.',
      );
    }
    const secret = newTotpSecret();
    await this.deps.store.mfa.putPendingTotp({
      userId: user.id,
      sealedSecret: sealSecret(this.deps.key, user.id, secret),
      level,
      createdAt: this.now(),
    });
    return { otpauthUrl: otpauthUrl(secret, user.name, this.deps.issuer()) };
  }

  /** `npm profile enable-2fa`, second request: the first code confirms; returns the recovery codes. */
  async confirm(user: User, context: RequestContext, code: string): Promise<string[]> {
    await this.deps.restrictions?.check(user, 'mfa');
    const pending = await this.deps.store.mfa.totp(user.id);
    if (!pending || pending.confirmedAt !== null) {
      fail('MfaNotEnabled', 'There is no two-factor set-up to confirm. Run `npm profile enable-2fa auth-and-writes` first.');
    }
    await this.deps.secondFactor.check(pending, user, context, code);
    const at = this.now();
    return this.deps.store.transaction(async (tx) => {
      await tx.mfa.confirmTotp(user.id, at);
      await tx.events.append({
        type: 'mfa.enabled',
        actor: userActor(user),
        data: { method: 'totp', level: pending.level, ...originOf(context) },
        createdAt: at,
      });
      return replaceRecoveryCodes(tx, user, at, originOf(context));
    });
  }

  /**
   * `npm profile disable-2fa`: the password and a valid code (or a recovery code) remove the
   * factor and its recovery codes. A pending set-up (npm resets one this way) needs the password only.
   */
  async disable(user: User, context: RequestContext, password: unknown): Promise<void> {
    await this.deps.restrictions?.check(user, 'mfa');
    await this.deps.checkPassword(user, password, context);
    const found = await this.deps.store.mfa.totp(user.id);
    if (!found) fail('MfaNotEnabled', 'Two-factor authentication is not enabled on this account.');
    if (found.confirmedAt === null) return this.deps.store.mfa.removeTotp(user.id);
    await this.deps.secondFactor.verify(user, context);
    await this.deps.store.transaction(async (tx) => {
      await tx.mfa.removeTotp(user.id);
      await tx.events.append({
        type: 'mfa.disabled',
        actor: userActor(user),
        data: { method: 'totp', ...originOf(context) },
        createdAt: this.now(),
      });
    });
  }

  /** New recovery codes replace every old one (used or not); needs a valid code. */
  async regenerateRecoveryCodes(user: User, context: RequestContext, code?: string): Promise<string[]> {
    await this.deps.restrictions?.check(user, 'mfa');
    if (!(await this.deps.secondFactor.enrolment(user))) {
      fail('MfaNotEnabled', 'Two-factor authentication is not enabled on this account.');
    }
    await this.deps.secondFactor.verify(user, context, code);
    const at = this.now();
    return this.deps.store.transaction((tx) => replaceRecoveryCodes(tx, user, at, originOf(context)));
  }
}

/** Ten new recovery codes replace every old one, with their event; the codes are returned once, never kept. */
async function replaceRecoveryCodes(tx: Repositories, user: User, at: string, origin: RequestOrigin): Promise<string[]> {
  const codes = newRecoveryCodes();
  await tx.mfa.replaceRecoveryCodes(user.id, codes.map(hashRecoveryCode), at);
  await tx.events.append({
    type: 'recovery_codes.generated',
    actor: userActor(user),
    data: { count: codes.length, ...origin },
    createdAt: at,
  });
  return codes;
}
