// Events are the registry's memory: every change appends one inside its own transaction.
// They never hold secrets (no tokens, no passwords, no hashes of either). Each type has exactly
// one payload shape, so a change that records the wrong facts fails to compile.
import type { Actor } from '../access/actor.js';
import type { RequestOrigin } from './origin.js';

/** The `data` of each event type. Numbers are integers (the canonical encoding refuses others). */
export interface EventPayloads {
  'user.created': { user: string; admin: boolean; via: 'admin' | 'signup' };
  'user.login': { method: 'password' | 'web' | 'passkey' };
  // The authentication track. Addresses are facts an audit needs; no payload holds a secret, so a
  // mail that must carry a link derives or mints it when it is sent (domain/mail), never from here.
  'email.verification_requested': { email: string; request: string };
  'email.verified': { email: string };
  // `& RequestOrigin`: the address and User-Agent of the request that made the change, for its mail.
  'email.changed': { from: string; to: string } & RequestOrigin;
  'password.changed': { via: 'change' | 'reset' | 'admin' } & RequestOrigin;
  'password.reset_requested': { email: string; request: string };
  'mfa.enabled': { method: 'totp' | 'webauthn'; level: 'auth-only' | 'auth-and-writes' } & RequestOrigin;
  'mfa.disabled': { method: 'totp' | 'webauthn' } & RequestOrigin;
  'recovery_codes.generated': { count: number } & RequestOrigin;
  'recovery_code.used': { remaining: number } & RequestOrigin;
  'webauthn.added': { credential: string; name: string; passkey: boolean };
  'webauthn.removed': { credential: string; name: string; passkey: boolean };
  /** Whether the account's keys guard its writes too (each write then waits for a key's approval in the browser). */
  'webauthn.writes_set': { guardWrites: boolean } & RequestOrigin;
  /** A write (`action`) asked for by a client at `requestedFrom` was approved with a key from `ip`. */
  'write.approved': { action: string; requestedFrom: string } & RequestOrigin;
  /** Too many wrong guesses of `secret`; `until` is when the lock lifts (ISO time). */
  'account.locked': { secret: 'password' | 'otp' | 'recovery-code' | 'reset-token'; until: string };
  /** Read-only after a risky recovery step, until `until`. */
  'account.restricted': { reason: 'email-change' | 'recovery-code' | 'admin-recovery'; until: string };
  'account.recovered': { by: 'admin'; checks: string[] };
  'session.created': { session: string; via: 'password' | 'passkey' };
  'session.revoked': {
    session: string;
    by: 'user' | 'sign-out' | 'expiry' | 'admin' | 'rotation' | 'password-change' | 'password-reset';
  };
  'token.created': { tokenId: number; display: string; readonly: boolean; reason: string } & RequestOrigin;
  'token.revoked': { tokenId: number; display: string };
  'package.published': { tag: string; integrity: string; size: number; legacyName?: string[] };
  'version.imported': {
    from: string;
    owner: string;
    integrity: string;
    size: number;
    publishedAt: string;
    tags: string[];
    legacyName?: string[];
  };
  'package.unpublished': { versions: string[]; byAdmin: boolean };
  'version.unpublished': { byAdmin: boolean };
  'version.deprecated': { message: string };
  'version.undeprecated': Record<string, never>;
  'dist_tag.set': { tag: string };
  'dist_tag.removed': { tag: string; was: string };
  'owner.added': { user: string };
  'owner.removed': { user: string };
  // organisations, teams and package access (domain/orgs)
  'org.created': { org: string };
  'org.member_set': { org: string; user: string; role: string };
  'org.member_removed': { org: string; user: string };
  'org.settings_changed': { org: string; developersGetNewPackages: boolean };
  'team.created': { org: string; team: string };
  'team.destroyed': { org: string; team: string };
  'team.member_added': { org: string; team: string; user: string };
  'team.member_removed': { org: string; team: string; user: string };
  'package.access_granted': { org: string; team: string; permission: string };
  'package.access_revoked': { org: string; team: string };
  'package.visibility_set': { visibility: string };
  // Trusted publishing: a configuration's id, its provider and what it names (no secret).
  'trusted_publisher.added': { id: string; type: string; identity: string; permissions: string[]; pendingUntil?: string };
  'trusted_publisher.removed': { id: string; type: string; identity: string };
  /** A pending configuration created its package; `owner` (by name) is told. */
  'trusted_publisher.pending_used': { id: string; owner: string; identity: string };
  /** A version made before registry signatures got its signature (domain/signatures). */
  'version.signed': { keyid: string };
  /** `gatehouse keys rotate`: new versions are signed by `keyid`; `retired` keys expire at `expires`. */
  'signing_key.rotated': { keyid: string; retired: string[]; expires: string };
  /** A secret-scanning report found this token in public (`url`, `source` as reported); it was revoked. */
  'token.leaked': { tokenId: number; display: string; url: string; source: string };
  // Reports and moderation (domain/reports), quarantine and MAL- advisories (domain/malicious).
  // No report text in any of them: mails link to the report, read signed in.
  'report.filed': { report: number; reason: string };
  'report.info_requested': { report: number; reporter: string };
  /** A message on the thread: by the reporter, a maintainer (vulnerabilities) or an administrator. */
  'report.info_added': { report: number; reason: string; reporter: string; by: 'reporter' | 'maintainer' | 'admin' };
  'report.confirmed': { report: number; reporter: string; reason: string; quarantined: string[]; advisory?: string };
  'report.dismissed': { report: number; reporter: string };
  /**
   * Held out of every read but its owners' and the administrators' until reviewed (domain/quarantine);
   * `ref` says why (`report:<id>`, `scan:<rules>`). A version held at publish names the tag its
   * release moves and its publisher (a user name), who is mailed the outcome; else the owners are.
   */
  'version.quarantined': { cause: 'report' | 'scan' | 'admin'; ref: string; tag?: string; publisher?: string };
  /** The review found it harmless: served again (published now, if it was held at publish). */
  'version.released': { ref: string; note?: string; publisher?: string };
  'malicious_advisory.published': { id: string; versions: string[]; allVersions: boolean };
  /** Staged publishing (docs/staged-publishing.md): held for a maintainer's approval, not served; `tag` is fixed now. */
  'version.staged': { stageId: string; tag: string; integrity: string; size: number };
  /** Approved with a second factor: now published under the tag fixed when it was staged. */
  'version.stage_approved': { stageId: string; tag: string; integrity: string };
  /** Rejected: never served, its tarball withheld, and its number stays taken. */
  'version.stage_rejected': { stageId: string; tag: string };
  /** An owner turned "require staging for every publish" on or off. */
  'package.staging_required_set': { required: boolean };
  /** An administrator allowed a name that resembles a protected or popular one (for `user` only, when given). */
  'name.allowed': { name: string; user?: string; note: string };
  'name.disallowed': { name: string };
  /** Typosquatting policy "hold": the first publish of a look-alike waits for an administrator. */
  'name.claim_held': { similarTo: string; technique: string };
  'name.claim_decided': { user: string; decision: 'approved' | 'rejected' };
  // Written before migration 029 by the malware scan's own quarantine; read only (version.* since).
  'scan.held': { tag: string; integrity: string; size: number; publisher: string; rules: string[] };
  'scan.released': { tag: string; publisher: string; note: string };
  'scan.rejected': { publisher: string; note: string; rules: string[] };
  'scan_rule.switched': { rule: string; enabled: boolean };
  /** One batch of `gatehouse advisories import` (domain/advisories): counts only, `source` is the name of the file or folder imported (no path). */
  'advisories.imported': { source: string; added: number; updated: number; withdrawn: number };
  /** An owner declared the next version's source: a new `repository`, or no provenance (domain/provenance). */
  'provenance.declared': { kind: 'repository' | 'none'; repository: string | null };
  /** A quarantine's review removed the version: a tombstone, its number taken, its tarball a known-bad digest. */
  'version.rejected': { ref: string; note: string; publisher?: string };
}

export type EventType = keyof EventPayloads;

interface NewEventOf<T extends EventType> {
  type: T;
  /** Who made the change; `system` for the command line and the registry's own work. */
  actor: Actor;
  packageName?: string;
  version?: string;
  data: EventPayloads[T];
  createdAt: string;
}

interface RegistryEventOf<T extends EventType> extends Omit<NewEventOf<T>, 'packageName' | 'version'> {
  seq: number;
  packageName: string | null;
  version: string | null;
}

/** An event to append: a union over `type`, so `data` must be that type's payload. */
export type NewEvent<T extends EventType = EventType> = { [K in T]: NewEventOf<K> }[T];

/** A committed event as read back, numbered by `seq`; narrow on `type` to read `data`. */
export type RegistryEvent<T extends EventType = EventType> = { [K in T]: RegistryEventOf<K> }[T];

export interface EventStore {
  append(event: NewEvent): Promise<number>;
  since(seq: number, limit: number): Promise<RegistryEvent[]>;
  latestSeq(): Promise<number>;
}

/** A type guard for `filter`/`find`, which cannot narrow the union from a plain `e.type === …`. */
export function isEvent<T extends EventType>(...types: T[]) {
  return (event: RegistryEvent): event is Extract<RegistryEvent, { type: T }> => (types as EventType[]).includes(event.type);
}
