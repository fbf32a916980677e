// Writes approved with a security key. npm sends a write's second factor only as `npm-otp`, and a
// key cannot type one, so an account whose keys guard its writes approves each write in the
// browser, the way npm's own registry does it (npm lib/utils/auth.js `otplease`): the refusal is
// npm's one-time-password 401 whose body carries `authUrl` (a page where the signed-in owner
// touches their key) and `doneUrl` (which the CLI polls with its token). Once approved, the poll
// hands out a one-time code once; npm resends the write with it as `npm-otp`, and the write
// spends it. Links, done addresses and codes are random, stored as SHA-256, bound to the account,
// expire after WRITE_APPROVAL_TTL_MS and are used once. No secret is logged or put in an event.
import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../store.js';
import type { User } from '../accounts/store.js';
import type { RequestContext } from '../access/context.js';
import { enforce } from '../access/principal.js';
import { canUseWebAccount } from '../accounts/authorize.js';
import { userActor } from '../access/actor.js';
import { originOf } from '../events/origin.js';
import { dateOf, type Clock } from '../clock.js';
import { fail } from '../errors.js';
import type { WriteApproval } from './store.js';

export const WRITE_APPROVAL_TTL_MS = 5 * 60 * 1000;
/** Open approvals one account may have: each failed write opens one, so a loop cannot fill the table. */
const OPEN_PER_ACCOUNT = 10;
const MAX_USER_AGENT = 200;
const CODE_PREFIX = 'gwa_';

/** What the key approves; the page says it in words. */
export type ApprovedWrite = 'publish' | 'owners' | 'dist-tags' | 'deprecate' | 'unpublish' | 'tokens';

const WORDS: Record<ApprovedWrite, string> = {
  publish: 'publish a package',
  owners: 'change package owners',
  'dist-tags': 'change dist-tags',
  deprecate: 'deprecate a version',
  unpublish: 'unpublish',
  tokens: 'create a token',
};

export function describeWrite(action: string): string {
  return WORDS[action as ApprovedWrite] ?? action;
}

export interface WriteApprovalDeps {
  store: Store;
  clock: Clock;
  /** The registry's public URL: the links npm prints and polls. */
  publicUrl: () => string;
  /** The webauthn service: whether the account has a key, and a key's answer as a second factor. */
  keys: {
    registered(user: User): Promise<boolean>;
    verifySecondFactor(user: User, assertion: unknown, sessionId: string | null): Promise<void>;
  };
  /** The accounts domain's password check: turning the guard off needs it. */
  checkPassword: (user: User, password: unknown, context: RequestContext) => Promise<void>;
}

export class WriteApprovals {
  constructor(private readonly deps: WriteApprovalDeps) {}

  private nowIso(): string {
    return dateOf(this.deps.clock).toISOString();
  }

  /** Whether `user`'s writes wait for a key's approval: a key is registered and guards writes. */
  async required(user: User): Promise<boolean> {
    return (await this.deps.store.webauthn.guardsWrites(user.id)) && (await this.deps.keys.registered(user));
  }

  /**
   * Before a write: spends the approval code the request carries, or opens a new approval and
   * refuses with npm's one-time-password 401 and the two links npm opens and polls.
   */
  async verify(user: User, context: RequestContext, action: ApprovedWrite): Promise<void> {
    const now = this.nowIso();
    if (context.approval) {
      if (await this.deps.store.webauthn.spendApproval(user.id, sha256(context.approval), now)) return;
      fail(
        'OtpInvalid',
        'That approval code is wrong, expired or already used. Run the command again and approve it with your key.',
      );
    }
    const { authUrl, doneUrl } = await this.open(user, context, action);
    const hint = context.otp ? ' This account approves writes with its security key, not a one-time password.' : '';
    fail(
      'OtpRequired',
      `To ${describeWrite(action)}, approve it with your security key at ${authUrl} (npm opens it when run in a terminal).${hint}`,
      undefined,
      { authUrl, doneUrl },
    );
  }

  private async open(user: User, context: RequestContext, action: ApprovedWrite): Promise<{ authUrl: string; doneUrl: string }> {
    const id = randomBytes(24).toString('base64url');
    const done = randomBytes(32).toString('base64url');
    const nowMs = this.deps.clock.now();
    const at = new Date(nowMs).toISOString();
    await this.deps.store.webauthn.purgeApprovals(at);
    await this.deps.store.transaction(async (tx) => {
      if ((await tx.webauthn.openApprovals(user.id, at)) >= OPEN_PER_ACCOUNT) {
        fail(
          'TooManyRequests',
          `${OPEN_PER_ACCOUNT} writes are already waiting for your security key. Approve one, or wait five minutes.`,
          { 'retry-after': String(WRITE_APPROVAL_TTL_MS / 1000) },
        );
      }
      await tx.webauthn.insertApproval({
        idHash: sha256(id),
        doneHash: sha256(done),
        userId: user.id,
        action,
        requestedBy: { ip: context.clientIp, userAgent: printable(context.userAgent) },
        createdAt: at,
        expiresAt: new Date(nowMs + WRITE_APPROVAL_TTL_MS).toISOString(),
        approvedAt: null,
        codeHash: null,
        usedAt: null,
      });
    });
    const base = this.deps.publicUrl().replace(/\/+$/, '');
    return { authUrl: `${base}/approve/${id}`, doneUrl: `${base}/-/gatehouse/v1/approvals/${done}` };
  }

  /** The approval page: the pending approval behind `id`, for its own account's web session only. */
  async pending(context: RequestContext, id: string): Promise<{ approval: WriteApproval; user: User }> {
    const { user } = enforce(canUseWebAccount(context.principal, 'approve a write'));
    const approval = await this.deps.store.webauthn.approvalById(sha256(id));
    if (!approval || approval.approvedAt || this.expired(approval)) {
      fail('WriteApprovalNotFound', 'This approval link has expired or was already used. Run the command again.');
    }
    if (approval.userId !== user.id) {
      fail(
        'WriteApprovalWrongAccount',
        'This approval is for another account. Sign out and sign in as the account that ran the command.',
      );
    }
    return { approval, user };
  }

  /** The owner touched their key on the page: the waiting CLI may now collect its code. */
  async approve(context: RequestContext, id: string, assertion: unknown): Promise<WriteApproval> {
    const { approval, user } = await this.pending(context, id);
    const sessionId = context.principal.kind === 'session' ? context.principal.session.id : null;
    await this.deps.keys.verifySecondFactor(user, assertion, sessionId);
    const at = this.nowIso();
    await this.deps.store.transaction(async (tx) => {
      if (!(await tx.webauthn.approve(approval.idHash, at)))
        fail('WriteApprovalNotFound', 'This write was approved already. Nothing more to do.');
      await tx.events.append({
        type: 'write.approved',
        actor: userActor(user),
        data: { action: approval.action, requestedFrom: approval.requestedBy.ip, ...originOf(context) },
        createdAt: at,
      });
    });
    return approval;
  }

  /** The CLI's poll of doneUrl, with its own token: undefined while waiting, the code once, then not found. */
  async poll(context: RequestContext, done: string): Promise<string | undefined> {
    const approval = await this.deps.store.webauthn.approvalByDone(sha256(done));
    const principal = context.principal;
    const caller = principal.kind === 'user' || principal.kind === 'session' ? principal.user.id : undefined;
    // Another caller learns nothing about it, not even that it exists.
    if (!approval || approval.codeHash !== null || this.expired(approval) || caller !== approval.userId) {
      fail('WriteApprovalNotFound', 'This approval has expired or was already collected. Run the command again.');
    }
    if (!approval.approvedAt) return undefined;
    const code = CODE_PREFIX + randomBytes(32).toString('base64url');
    if (!(await this.deps.store.webauthn.collect(approval.idHash, sha256(code))))
      fail('WriteApprovalNotFound', 'This approval was already collected.');
    return code;
  }

  /** The account page's switch: whether the account's keys guard its writes (turning it off needs the password). */
  async setGuardsWrites(context: RequestContext, on: boolean, password?: unknown): Promise<void> {
    const { user } = enforce(canUseWebAccount(context.principal, 'change how your security keys are used'));
    if (on && !(await this.deps.keys.registered(user))) fail('BadRequest', 'Add a security key or passkey first.');
    if (!on) await this.deps.checkPassword(user, password, context);
    const at = this.nowIso();
    await this.deps.store.transaction(async (tx) => {
      await tx.webauthn.setGuardsWrites(user.id, on, at);
      await tx.events.append({
        type: 'webauthn.writes_set',
        actor: userActor(user),
        data: { guardWrites: on, ...originOf(context) },
        createdAt: at,
      });
    });
  }

  guardsWrites(user: User): Promise<boolean> {
    return this.deps.store.webauthn.guardsWrites(user.id);
  }

  private expired(approval: WriteApproval): boolean {
    return Date.parse(approval.expiresAt) <= this.deps.clock.now();
  }
}

/** Attacker-controlled: shown on a page and stored, so bounded and free of control characters. */
function printable(agent: string): string {
  return agent.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, MAX_USER_AGENT);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
