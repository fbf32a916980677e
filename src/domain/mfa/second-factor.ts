// The SecondFactor other parts ask (publish, owner changes, login, web approval): TOTP codes and
// recovery codes. Every check goes through the guess guard first; a TOTP code is accepted once
// (its step is claimed in the database, so a replay inside its window is refused) and a recovery
// code once (marked used, with its event). Wrong, expired, replayed and malformed codes get the
// same answer, so none tells an attacker which. Never logs or records a code or a secret.
import { originOf, type RequestOrigin } from '../events/origin.js';
import type { RequestContext } from '../access/context.js';
import type { SecondFactor, SecondFactorPurpose } from '../access/second-factor.js';
import type { GuessGuard, GuessedSecret } from '../access/guess-guard.js';
import type { User } from '../accounts/store.js';
import type { Repositories, Store } from '../store.js';
import { userActor } from '../access/actor.js';
import { fail } from '../errors.js';
import { dateOf, type Clock } from '../clock.js';
import { matchingStep, looksLikeTotp } from './totp.js';
import { hashRecoveryCode, normaliseRecoveryCode } from './recovery-codes.js';
import { openSecret, type SecretKey } from './secret-box.js';
import type { TotpEnrolment } from './store.js';

export interface TotpSecondFactorDeps {
  store: Store;
  clock: Clock;
  key: SecretKey;
  guard: GuessGuard;
  /** Runs in the transaction that spends a recovery code (the read-only lock after risky recovery). */
  onRecoveryCodeUsed?: (tx: Repositories, user: User, at: string) => Promise<void>;
}

const ASK = 'This operation needs a one-time password from your authenticator app: add --otp=<code>.';
const WRONG = 'That one-time password is wrong, expired or already used. Wait for a new code and try again.';

export class TotpSecondFactor implements SecondFactor {
  constructor(private readonly deps: TotpSecondFactorDeps) {}

  /** The account's confirmed enrolment; a pending one is no second factor yet. */
  async enrolment(user: User): Promise<TotpEnrolment | undefined> {
    const found = await this.deps.store.mfa.totp(user.id);
    return found?.confirmedAt ? found : undefined;
  }

  async required(user: User, purpose: SecondFactorPurpose): Promise<boolean> {
    const enrolment = await this.enrolment(user);
    return enrolment !== undefined && (purpose === 'auth' || enrolment.level === 'auth-and-writes');
  }

  async verify(user: User, context: RequestContext, code?: string): Promise<void> {
    const enrolment = await this.enrolment(user);
    if (!enrolment) return;
    const given = (code ?? context.otp)?.trim();
    if (!given) fail('OtpRequired', ASK);
    await this.check(enrolment, user, context, given);
  }

  /** Checks `typed` against the enrolment: a TOTP code, or else a recovery code. */
  async check(enrolment: TotpEnrolment, user: User, context: RequestContext, typed: string): Promise<void> {
    const recovery = looksLikeTotp(typed) ? undefined : normaliseRecoveryCode(typed);
    const attempt = {
      secret: (recovery ? 'recovery-code' : 'otp') as GuessedSecret,
      account: user.name,
      clientIp: context.clientIp,
    };
    await this.deps.guard.before(attempt);
    const ok = recovery ? await this.useRecoveryCode(user, recovery, originOf(context)) : await this.useTotp(enrolment, typed);
    if (!ok) {
      await this.deps.guard.failed(attempt);
      fail('OtpInvalid', WRONG);
    }
    await this.deps.guard.succeeded(attempt);
  }

  /** True when `code` is the enrolment's for a step no code was accepted for yet; claims that step. */
  async useTotp(enrolment: TotpEnrolment, code: string): Promise<boolean> {
    const secret = openSecret(this.deps.key, enrolment.userId, enrolment.sealedSecret);
    // A secret sealed under another key (the key file was replaced) can never match: refuse, never crash.
    if (!secret) return false;
    const step = matchingStep(secret, code, this.deps.clock.now());
    if (step === undefined || (enrolment.lastStep !== null && step <= enrolment.lastStep)) return false;
    return this.deps.store.mfa.claimStep(enrolment.userId, step);
  }

  private async useRecoveryCode(user: User, code: string, origin: RequestOrigin): Promise<boolean> {
    const at = dateOf(this.deps.clock).toISOString();
    return this.deps.store.transaction(async (tx) => {
      if (!(await tx.mfa.useRecoveryCode(user.id, hashRecoveryCode(code), at))) return false;
      const remaining = await tx.mfa.unusedRecoveryCodes(user.id);
      await tx.events.append({
        type: 'recovery_code.used',
        actor: userActor(user),
        data: { remaining, ...origin },
        createdAt: at,
      });
      await this.deps.onRecoveryCodeUsed?.(tx, user, at);
      return true;
    });
  }
}
