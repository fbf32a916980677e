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
