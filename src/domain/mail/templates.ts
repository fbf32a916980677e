// The text of every mail: what happened, when, to which account, and what to do if it was not
// the account's owner. Plain text only (no HTML to render, no remote images, nothing that runs).
// A template sees the event, never a secret beyond the one link it was handed for this mail.
import type { RegistryEvent } from '../events/store.js';
import { reportMail } from '../reports/mail.js';

export interface MailSubject {
  /** The account the mail is about. */
  account: string;
  /** The registry's address, for links and the signature. */
  baseUrl: string;
  /** The secret link, for the verification and reset mails only. */
  link?: string;
  /** Why this address receives it: the account's own, the address it changed from or to, a new owner. */
  role: RecipientRole;
}

export type RecipientRole =
  | 'account'
  | 'previous-address'
  | 'new-address'
  | 'new-owner'
  | 'reporter'
  | 'maintainer'
  | 'moderator';

export interface RenderedMail {
  subject: string;
  text: string;
}

const NOT_YOU = 'If this was not you, sign in and change your password now, then review your tokens and second factors.';

/** The mail `event` sends to one recipient; undefined for an event no one is mailed about. */
export function render(event: RegistryEvent, to: MailSubject): RenderedMail | undefined {
  const body = content(event, to);
  if (!body) return undefined;
  const lines = [
    `Hello ${to.account},`,
    '',
    body.what,
    '',
    `When:    ${event.createdAt}`,
    `Account: ${to.account}`,
    ...(event.packageName ? [`Package: ${event.packageName}`] : []),
    ...originLines(event),
    ...(body.details ?? []),
    '',
    ...(body.action ? [body.action] : []),
    ...(body.ifNotYou === false ? [] : ['', body.ifNotYou ?? NOT_YOU]),
    '',
    '-- ',
    `Gatehouse package registry at ${to.baseUrl}`,
  ];
  return { subject: `[Gatehouse] ${body.subject}`, text: `${lines.join('\n')}\n` };
}

/**
 * Where the request that caused the event came from, when the event recorded it (RequestOrigin):
 * the person reading can tell their own change from someone else's.
 */
function originLines(event: RegistryEvent): string[] {
  const data = event.data as { ip?: unknown; userAgent?: unknown };
  return [
    ...(typeof data.ip === 'string' ? [`From:    ${data.ip}`] : []),
    ...(typeof data.userAgent === 'string' ? [`Client:  ${data.userAgent}`] : []),
  ];
}

interface Content {
  subject: string;
  what: string;
  details?: string[];
  action?: string;
  /** What to do if it was not them; false for a mail they asked for themselves. */
  ifNotYou?: string | false;
}

function content(event: RegistryEvent, to: MailSubject): Content | undefined {
  switch (event.type) {
    case 'email.verification_requested':
      return {
        subject: 'Verify your email address',
        what: `Someone (we hope you) asked to use ${event.data.email} for this account.`,
        action: `Open this link to verify the address:\n\n  ${to.link ?? ''}\n\nUntil it is verified the account cannot publish or create tokens.`,
        ifNotYou: 'If this was not you, ignore this mail: the address is not used until the link is opened.',
      };
    case 'password.reset_requested':
      return {
        subject: 'Reset your password',
        what: 'A password reset was asked for this account.',
        action: `Open this link to choose a new password:\n\n  ${to.link ?? ''}`,
        ifNotYou: 'If this was not you, ignore this mail: your password stays as it is.',
      };
    case 'password.changed':
      return { subject: 'Your password was changed', what: `The password of this account was changed (${event.data.via}).` };
    case 'email.changed':
      return {
        subject: 'Your account email address was changed',
        what:
          to.role === 'previous-address'
            ? `The email address of this account was changed from ${event.data.from} (this address) to ${event.data.to}.`
            : `The email address of this account is now ${event.data.to} (this address), instead of ${event.data.from}.`,
        ifNotYou:
          'If this was not you, your account may be taken over: reply to the registry administrators ' +
          'from this address at once, and they can restore it (see the account recovery policy).',
      };
    case 'mfa.enabled':
      return {
        subject: 'Two-factor authentication turned on',
        what: `Two-factor authentication (${event.data.method}, ${event.data.level}) was turned on for this account.`,
      };
    case 'mfa.disabled':
      return {
        subject: 'Two-factor authentication turned off',
        what: `Two-factor authentication (${event.data.method}) was turned off for this account.`,
      };
    case 'webauthn.added':
      return {
        subject: `${event.data.passkey ? 'Passkey' : 'Security key'} added`,
        what: `A ${event.data.passkey ? 'passkey' : 'security key'} named "${event.data.name}" was added to this account.`,
      };
    case 'webauthn.removed':
      return {
        subject: `${event.data.passkey ? 'Passkey' : 'Security key'} removed`,
        what: `The ${event.data.passkey ? 'passkey' : 'security key'} named "${event.data.name}" was removed from this account.`,
      };
    case 'webauthn.writes_set':
      return event.data.guardWrites
        ? {
            subject: 'Security key now approves your writes',
            what: 'Publishing and other package changes by this account now wait for approval with a security key.',
          }
        : {
            subject: 'Security key no longer approves your writes',
            what: 'Publishing and other package changes by this account no longer ask for a security key.',
          };
    case 'recovery_codes.generated':
      return {
        subject: 'New recovery codes',
        what: `${event.data.count} new recovery codes were made for this account; the old ones no longer work.`,
      };
    case 'recovery_code.used':
      return {
        subject: 'A recovery code was used',
        what: `A recovery code was used to sign in to this account; ${event.data.remaining} remain.`,
      };
    case 'token.created':
      return {
        subject: 'A new access token was created',
        what: `A ${event.data.readonly ? 'read-only' : 'read and write'} token (${event.data.display}…) was created for this account (${event.data.reason}).`,
        ifNotYou: `If this was not you, revoke it (\`npm token revoke\`) and change your password now.`,
      };
    case 'token.leaked':
      return {
        subject: 'A token of yours was found in public and revoked',
        what: `Your token ${event.data.display}… was found where others can read it and has been revoked; it no longer works.`,
        details: [`Found:   ${event.data.url || 'not given'} (${event.data.source || 'secret scanning'})`],
        action:
          'Remove it from where it was found, create a new token (`npm token create`), and review your recent package changes.',
        ifNotYou: false,
      };
    case 'account.locked':
      return {
        subject: 'Sign-in temporarily locked',
        what: `Too many wrong ${secretName(event.data.secret)} were tried for this account, so it is locked until ${event.data.until}.`,
        ifNotYou:
          'If this was not you, someone is guessing: keep your password long and unique, and turn on two-factor authentication.',
      };
    case 'account.restricted':
      return {
        subject: 'Account is read-only for now',
        what:
          `After ${restrictionCause(event.data.reason)}, ` +
          `this account cannot publish, create tokens or change owners or second factors until ${event.data.until}.`,
        ifNotYou:
          'If this was not you, contact the registry administrators now: the lock gives them time to restore the account.',
      };
    case 'owner.added':
      return {
        subject: `You are now an owner of ${event.packageName ?? 'a package'}`,
        what: `You are now an owner of ${event.packageName ?? 'a package'}: you can publish it and manage its owners.`,
        ifNotYou: 'If you did not expect this, you can remove yourself with `npm owner rm`.',
      };
    case 'account.recovered':
      return {
        subject: 'Your account was recovered',
        what: `The registry administrators recovered this account after these checks: ${event.data.checks.join(', ')}.`,
        ifNotYou: 'If you did not ask for this, contact the registry administrators now.',
      };
    case 'trusted_publisher.added':
      return {
        subject: `Trusted publisher added to ${event.packageName ?? 'a package'}`,
        what: `A trusted publisher was added to ${event.packageName ?? 'a package'}: ${event.data.identity} may now ${event.data.permissions.join(' and ')}.`,
        ...(event.data.pendingUntil && {
          details: [`Pending: its first publish creates the package, if made before ${event.data.pendingUntil}.`],
        }),
        ifNotYou: 'If this was not you, remove it at once (`npm trust revoke`) and change your password.',
      };
    case 'trusted_publisher.removed':
      return {
        subject: `Trusted publisher removed from ${event.packageName ?? 'a package'}`,
        what: `The trusted publisher ${event.data.identity} can no longer publish ${event.packageName ?? 'the package'}.`,
      };
    case 'trusted_publisher.pending_used':
      return {
        subject: `${event.packageName ?? 'A package'} was created by its trusted publisher`,
        what: `The pending trusted publisher ${event.data.identity} published the first version of ${event.packageName ?? 'a package'}, which you now own.`,
        ifNotYou:
          'If you did not expect this, check the version, and unpublish it and revoke the trusted publisher if it is not yours.',
      };
    case 'version.staged':
      return {
        subject: `${event.packageName ?? 'A package'}@${event.version ?? '?'} is staged for your approval`,
        what: `${event.packageName ?? 'A package'}@${event.version ?? '?'} was staged (tag ${event.data.tag}). Nobody can install it until a maintainer approves it.`,
        details: [`Stage:   ${event.data.stageId}`],
        action:
          `Review it (\`npm stage download ${event.data.stageId}\`), then approve it with \`npm stage approve ${event.data.stageId} --otp=<code>\` ` +
          `or reject it with \`npm stage reject ${event.data.stageId}\`, or on the package page: ${to.baseUrl}/package/${event.packageName ?? ''}`,
        ifNotYou: 'If nobody you trust staged it, reject it and revoke the token that staged it.',
      };
    case 'provenance.declared':
      return {
        subject: `A change of build source was declared for ${event.packageName ?? 'a package'}`,
        what:
          event.data.kind === 'none'
            ? `An owner declared that the next versions of ${event.packageName ?? 'a package'} may be published without build provenance.`
            : `An owner declared that the next version of ${event.packageName ?? 'a package'} may be built from ${event.data.repository ?? 'another repository'}.`,
        action: `Check the package's versions and their provenance: ${to.baseUrl}/package/${event.packageName ?? ''}`,
        ifNotYou:
          "If no owner you trust did this, someone has an owner's credentials: change the owners' passwords, revoke their tokens and declare the real repository again.",
      };
    case 'version.quarantined':
      return {
        subject: `${event.packageName ?? 'A package'}@${event.version ?? ''} is held for review`,
        what:
          event.data.cause === 'scan'
            ? `The malware scan held ${event.packageName ?? 'a package'}@${event.version ?? ''}: nobody but its owners and the administrators can see or install it until they review it.`
            : `The administrators quarantined ${event.packageName ?? 'a package'}@${event.version ?? ''}: nobody but its owners and the administrators can see or install it until they review it.`,
        details: [`Why:     ${event.data.ref}`],
        action:
          'Scan findings are listed at /-/gatehouse/v1/packages/<name>/scan. If this is a mistake, reply to the registry administrators.',
        ifNotYou:
          'If you did not publish this version, someone has your credentials: revoke your tokens and change your password.',
      };
    case 'version.released':
      return {
        subject: `${event.packageName ?? 'A package'}@${event.version ?? ''} was released`,
        what: `The administrators reviewed ${event.packageName ?? 'a package'}@${event.version ?? ''} and released it; it is installable now.`,
        ...(event.data.note && { details: [`Note:    ${event.data.note}`] }),
        ifNotYou: false,
      };
    case 'version.rejected':
      return {
        subject: `${event.packageName ?? 'A package'}@${event.version ?? ''} was rejected`,
        what: `The administrators reviewed ${event.packageName ?? 'a package'}@${event.version ?? ''} and removed it as malicious. Its version number stays used.`,
        details: [`Why:     ${event.data.ref}`, ...(event.data.note ? [`Note:    ${event.data.note}`] : [])],
        ifNotYou:
          'If you did not publish this version, someone has your credentials: revoke your tokens and change your password.',
      };
    default:
      return reportMail(event, to.baseUrl, to.role);
  }
}

function restrictionCause(reason: 'email-change' | 'recovery-code' | 'admin-recovery'): string {
  switch (reason) {
    case 'email-change':
      return 'an email address change';
    case 'recovery-code':
      return 'the use of a recovery code';
    case 'admin-recovery':
      return 'a recovery by the registry administrators';
  }
}

function secretName(secret: 'password' | 'otp' | 'recovery-code' | 'reset-token'): string {
  switch (secret) {
    case 'password':
      return 'passwords';
    case 'otp':
      return 'one-time passwords';
    case 'recovery-code':
      return 'recovery codes';
    case 'reset-token':
      return 'reset links';
  }
}
