// Before a package change: the maintainer MFA policy (publish and owner changes need an enrolled
// second factor, after a grace period) and, for accounts in `auth-and-writes` mode, a one-time
// password on every write. A request is checked once, however many steps ask (a publish asks
// before and after its body is read), so one code is never spent twice by one request.
// A trusted publisher (an OIDC identity, no person) is never held to the user MFA policy.
import type { RequestContext } from '../access/context.js';
import type { User } from '../accounts/store.js';
import type { Store } from '../store.js';
import { assertNever, enforce } from '../access/principal.js';
import { bypassDenial } from '../tokens/limits.js';
import { fail } from '../errors.js';
import type { Clock } from '../clock.js';
import type { PackageWrite } from '../packages/service.js';
import type { TotpSecondFactor } from './second-factor.js';
import type { AccountRestrictions } from '../accounts/restrictions.js';

export interface MaintainerPolicy {
  /** mfaRequiredForMaintainers */
  required: boolean;
  /** Days a maintainer without a second factor is warned before being refused (mfaGraceDays). */
  graceDays: number;
}

export interface WriteChecksDeps {
  store: Store;
  clock: Clock;
  secondFactor: TotpSecondFactor;
  policy: MaintainerPolicy;
  /** The read-only lock after risky recovery refuses every package write while it lasts. */
  restrictions?: AccountRestrictions;
  /** Security keys count as the second factor the policy asks for; critical maintainers must have one (domain/webauthn). */
  securityKeys?: SecurityKeyPolicy;
  /** Writes of an account whose security keys guard them wait for a key's approval in the browser (domain/webauthn). */
  keyApprovals?: KeyApprovals;
}

/** A security key as the second factor of writes (domain/webauthn/write-approvals.ts). */
export interface KeyApprovals {
  required(user: User): Promise<boolean>;
  /** Spends the approval code the request carries, or refuses with npm's 401 and the approval's links. */
  verify(user: User, context: RequestContext, action: PackageWrite | 'tokens'): Promise<void>;
}

export interface SecurityKeyPolicy {
  registered(user: User): Promise<boolean>;
  /** Refuses a publish or owner change by a critical package's maintainer who has no key. */
  check(user: User, write: 'publish' | 'owners'): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const ENROL = 'npm profile enable-2fa auth-and-writes';

export class WriteChecks {
  private readonly passed = new WeakSet<RequestContext>();
  private policyStart: Promise<number> | undefined;

  constructor(private readonly deps: WriteChecksDeps) {}

  /** Refuses with OtpRequired/OtpInvalid/MfaRequired; returns warnings to show the client. */
  async check(context: RequestContext, write: PackageWrite): Promise<string[]> {
    const principal = context.principal;
    switch (principal.kind) {
      case 'anonymous': // refused by the change's own decision
      case 'trusted-publisher': // no person to hold a second factor
        return [];
      case 'user':
      case 'session':
        break;
      default:
        return assertNever(principal);
    }
    if (this.passed.has(context)) return [];
    // Staging defers the second factor to the approval, which must give one (docs/staged-publishing.md).
    if (write === 'stage') {
      await this.deps.restrictions?.check(principal.user, 'publish');
      this.passed.add(context);
      return [];
    }
    if (write === 'stage-approve') {
      await this.approval(principal, context);
      this.passed.add(context);
      return [];
    }
    // A token that skips the second factor never changes owners (domain/tokens/limits.ts).
    const bypass = principal.kind === 'user' && principal.token.bypass2fa;
    const refused = principal.kind === 'user' && write === 'owners' ? bypassDenial(principal.token, 'change owners') : undefined;
    if (refused) enforce(refused);
    await this.deps.restrictions?.check(principal.user, write === 'stage-reject' ? 'unpublish' : write);
    if (write === 'publish' || write === 'owners') await this.deps.securityKeys?.check(principal.user, write);
    const warnings = write === 'publish' || write === 'owners' ? await this.policy(principal.user, write) : [];
    if (!bypass) await this.secondFactor(principal.user, context, write);
    this.passed.add(context);
    return warnings;
  }

  /** A TOTP code when the account's TOTP guards writes; else a key's approval when its keys do. */
  private async secondFactor(user: User, context: RequestContext, write: PackageWrite): Promise<void> {
    if (await this.deps.secondFactor.required(user, 'writes')) return this.deps.secondFactor.verify(user, context);
    const keys = this.deps.keyApprovals;
    if (keys && (await keys.required(user))) return keys.verify(user, context, write);
  }

  /**
   * Approving a staged version is the proof of presence its staging deferred: a token that skips
   * the second factor never approves, an account with no second factor cannot, and one with TOTP
   * gives a code even when its TOTP guards sign-in only.
   */
  private async approval(
    principal: Exclude<RequestContext['principal'], { kind: 'anonymous' | 'trusted-publisher' }>,
    context: RequestContext,
  ): Promise<void> {
    const user = principal.user;
    if (principal.kind === 'user') {
      const refused = bypassDenial(principal.token, 'approve staged versions');
      if (refused) enforce(refused);
    }
    await this.deps.restrictions?.check(user, 'publish');
    await this.deps.securityKeys?.check(user, 'publish');
    if (await this.deps.secondFactor.enrolment(user)) return this.deps.secondFactor.verify(user, context);
    if (this.deps.keyApprovals && (await this.deps.securityKeys?.registered(user)))
      return this.deps.keyApprovals.verify(user, context, 'stage-approve');
    fail(
      'StageApprovalNeedsMfa',
      `Approving a staged version needs two-factor authentication, and this account has none. Run \`${ENROL}\` (or add a security key on the website), then approve with --otp=<code>.`,
    );
  }

  /**
   * A moderation action (a report's confirm, dismiss or question; a quarantine's release or
   * reject) changes what everyone installs or hears, so the administrator proves presence every
   * time: a TOTP or recovery code (`npm-otp`, or the web form's `code`), even when TOTP guards
   * sign-in only. A token that skips the second factor never moderates; an account without TOTP
   * cannot (a browser approval with a security key is not offered for moderation yet).
   */
  async moderation(context: RequestContext, code?: string): Promise<void> {
    const principal = context.principal;
    if (principal.kind !== 'user' && principal.kind !== 'session') return; // refused by canModerate
    if (principal.kind === 'user') {
      const refused = bypassDenial(principal.token, 'moderate');
      if (refused) enforce(refused);
    }
    if (await this.deps.secondFactor.enrolment(principal.user))
      return this.deps.secondFactor.verify(principal.user, context, code);
    fail(
      'ModerationNeedsMfa',
      `Moderating needs two-factor authentication, and this account has none. Run \`${ENROL}\`, then try again with --otp=<code> (or the code field on the web).`,
    );
  }

  private async policy(user: User, write: PackageWrite): Promise<string[]> {
    if (!this.deps.policy.required || (await this.deps.secondFactor.enrolment(user))) return [];
    if (await this.deps.securityKeys?.registered(user)) return [];
    // Accounts that existed when the policy arrived, and new ones, get the same grace to enrol.
    const from = Math.max(Date.parse(user.createdAt), await this.started());
    const deadline = from + this.deps.policy.graceDays * DAY_MS;
    const what = write === 'publish' ? 'publish' : 'change owners';
    if (this.deps.clock.now() < deadline) {
      return [
        `From ${new Date(deadline).toISOString()} maintainers need two-factor authentication to ${what} here: run \`${ENROL}\`.`,
      ];
    }
    fail(
      'MfaRequired',
      `Maintainers need two-factor authentication to ${what} here. Run \`${ENROL}\`, then try again with --otp=<code>.`,
    );
  }

  private started(): Promise<number> {
    // Read once per process (it never changes once recorded); a failed read is retried next time.
    this.policyStart ??= this.deps.store.mfa
      .policyStart(new Date(this.deps.clock.now()).toISOString())
      .then(Date.parse)
      .catch((err: unknown) => {
        this.policyStart = undefined;
        throw err;
      });
    return this.policyStart;
  }
}
