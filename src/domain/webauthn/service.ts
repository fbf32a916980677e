// Security keys and passkeys (WebAuthn): registering one from the account page, removing it
// after a password check, and checking an assertion as a second factor (web sign-in, approving
// `npm login`) or as a passwordless passkey sign-in. Every challenge is made here, stored as a
// hash bound to its purpose, account and session, taken once and expiring; the relying party is
// the public URL (RP ID = its host, origin = its origin), so an answer signed for another site fails.
import { randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { Store } from '../store.js';
import type { User } from '../accounts/store.js';
import type { RequestContext } from '../access/context.js';
import type { Clock } from '../clock.js';
import { dateOf } from '../clock.js';
import { enforce } from '../access/principal.js';
import { canUseWebAccount } from '../accounts/authorize.js';
import { userActor } from '../access/actor.js';
import { fail } from '../errors.js';
import { hashChallenge, parseAssertion, parseRegistration, type ClientData } from './ceremony.js';
import type { ChallengePurpose, StoredChallenge, WebAuthnCredential } from './store.js';

export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
const MAX_NAME = 64;

export interface WebAuthnDeps {
  store: Store;
  clock: Clock;
  publicUrl: () => string;
  /** The accounts domain's password check: removing a key needs it. */
  checkPassword: (user: User, password: unknown, context: RequestContext) => Promise<void>;
  /** Whether the account has a confirmed TOTP enrolment (the other second factor). */
  hasTotp: (user: User) => Promise<boolean>;
}

type Options<P extends ChallengePurpose> = P extends 'register'
  ? PublicKeyCredentialCreationOptionsJSON
  : PublicKeyCredentialRequestOptionsJSON;

export class WebAuthnService {
  constructor(private readonly deps: WebAuthnDeps) {}

  private relyingParty() {
    const url = new URL(this.deps.publicUrl());
    return { id: url.hostname, origin: url.origin };
  }

  private nowIso(): string {
    return dateOf(this.deps.clock).toISOString();
  }

  async registered(user: User): Promise<boolean> {
    return (await this.deps.store.webauthn.credentials(user.id)).length > 0;
  }

  async passkeyRegistered(user: User): Promise<boolean> {
    return (await this.deps.store.webauthn.credentials(user.id)).some((c) => c.passkey);
  }

  list(user: User): Promise<WebAuthnCredential[]> {
    return this.deps.store.webauthn.credentials(user.id);
  }

  /** A new challenge, stored; bytes for the library (a string it would encode again), base64url as the browser echoes it. */
  private async issue(
    purpose: ChallengePurpose,
    user: User | null,
    sessionId: string | null,
    passkey = false,
    passwordChangeRequired = false,
  ): Promise<Uint8Array<ArrayBuffer>> {
    const bytes = randomBytes(32);
    const challenge = bytes.toString('base64url');
    const now = this.deps.clock.now();
    await this.deps.store.webauthn.purgeChallenges(new Date(now).toISOString());
    await this.deps.store.webauthn.putChallenge({
      challengeHash: hashChallenge(challenge),
      purpose,
      userId: user?.id ?? null,
      sessionId,
      passkey,
      expiresAt: new Date(now + CHALLENGE_TTL_MS).toISOString(),
      passwordChangeRequired,
    });
    return new Uint8Array(bytes);
  }

  /** Checks the origin, then takes the challenge the answer signed; refuses one for another purpose, account or session. */
  private async take(
    clientData: ClientData,
    type: string,
    // 'any': the sign-in key step, where the challenge itself names the account whose password passed.
    expected: { purpose: ChallengePurpose; userId: number | null | 'any'; sessionId: string | null },
  ): Promise<StoredChallenge> {
    if (clientData.origin !== this.relyingParty().origin || clientData.type !== type) {
      fail(
        'WebAuthnOriginMismatch',
        'The security key answered for another site; nothing was changed. Use this site’s own page.',
      );
    }
    const stored = await this.deps.store.webauthn.takeChallenge(hashChallenge(clientData.challenge));
    if (
      !stored ||
      Date.parse(stored.expiresAt) <= this.deps.clock.now() ||
      stored.purpose !== expected.purpose ||
      (expected.userId === 'any' ? stored.userId === null : stored.userId !== expected.userId) ||
      stored.sessionId !== expected.sessionId
    ) {
      fail(
        'WebAuthnChallengeInvalid',
        'This security key request has expired or was already used. Reload the page and try again.',
      );
    }
    return stored;
  }

  /** The account page's "Add a security key" / "Add a passkey": options for the browser, a challenge stored for this session. */
  async registrationOptions(context: RequestContext, passkey: boolean): Promise<Options<'register'>> {
    const { user, session } = enforce(canUseWebAccount(context.principal, 'add a security key'));
    const challenge = await this.issue('register', user, session.id, passkey);
    const existing = await this.list(user);
    return generateRegistrationOptions({
      rpName: 'Gatehouse',
      rpID: this.relyingParty().id,
      userName: user.name,
      userID: new TextEncoder().encode(String(user.id)),
      challenge,
      attestationType: 'none',
      excludeCredentials: existing.map((c) => ({ id: c.id, transports: c.transports as AuthenticatorTransportFuture[] })),
      authenticatorSelection: passkey
        ? { residentKey: 'required', userVerification: 'required' }
        : { residentKey: 'discouraged', userVerification: 'preferred' },
    });
  }

  /** Verifies the browser's registration and stores the key with its events (and `mfa.enabled` for a first factor). */
  async register(context: RequestContext, answerText: unknown, name: unknown): Promise<WebAuthnCredential> {
    const { user, session } = enforce(canUseWebAccount(context.principal, 'add a security key'));
    const label = typeof name === 'string' ? name.trim() : '';
    if (label.length === 0 || label.length > MAX_NAME) fail('BadRequest', `Name the key (1 to ${MAX_NAME} characters).`);
    const { answer, clientData } = parseRegistration(answerText);
    const stored = await this.take(clientData, 'webauthn.create', {
      purpose: 'register',
      userId: user.id,
      sessionId: session.id,
    });
    const rp = this.relyingParty();
    const result = await verifyRegistrationResponse({
      response: answer,
      expectedChallenge: clientData.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: stored.passkey,
    }).catch(() => undefined);
    if (!result?.verified) fail('WebAuthnRejected', 'The security key’s answer did not check out; nothing was saved. Try again.');
    const { credential } = result.registrationInfo;
    const at = this.nowIso();
    const record: WebAuthnCredential = {
      id: credential.id,
      userId: user.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: credential.counter,
      transports: credential.transports ?? [],
      name: label,
      passkey: stored.passkey,
      createdAt: at,
      lastUsedAt: null,
    };
    const firstFactor = !(await this.registered(user)) && !(await this.deps.hasTotp(user));
    await this.deps.store.transaction(async (tx) => {
      if (await tx.webauthn.credential(record.id)) fail('Conflict', 'This security key is registered already.');
      await tx.webauthn.insertCredential(record);
      const data = { credential: record.id, name: record.name, passkey: record.passkey };
      await tx.events.append({ type: 'webauthn.added', actor: userActor(user), data, createdAt: at });
      if (firstFactor) {
        // The first factor guards writes too, as `npm profile enable-2fa` does by default: each
        // write from npm then waits for the key's approval in the browser (write-approvals.ts).
        await tx.webauthn.setGuardsWrites(user.id, true, at);
        const enabled = { method: 'webauthn' as const, level: 'auth-and-writes' as const };
        await tx.events.append({ type: 'mfa.enabled', actor: userActor(user), data: enabled, createdAt: at });
      }
    });
    return record;
  }

  /** Removes one of the caller's keys after their password; the last factor's removal records `mfa.disabled`. */
  async remove(context: RequestContext, id: string, password: unknown): Promise<void> {
    const { user } = enforce(canUseWebAccount(context.principal, 'remove a security key'));
    await this.deps.checkPassword(user, password, context);
    const found = (await this.list(user)).find((c) => c.id === id);
    if (!found) fail('WebAuthnCredentialNotFound', 'This account has no security key with this id.');
    const lastFactor = (await this.list(user)).length === 1 && !(await this.deps.hasTotp(user));
    const at = this.nowIso();
    await this.deps.store.transaction(async (tx) => {
      if (!(await tx.webauthn.removeCredential(user.id, id)))
        fail('WebAuthnCredentialNotFound', 'This security key was removed already.');
      const data = { credential: found.id, name: found.name, passkey: found.passkey };
      await tx.events.append({ type: 'webauthn.removed', actor: userActor(user), data, createdAt: at });
      if (lastFactor)
        await tx.events.append({ type: 'mfa.disabled', actor: userActor(user), data: { method: 'webauthn' }, createdAt: at });
    });
  }

  /**
   * A challenge for `user`'s keys as a second factor: after their password at sign-in (no session
   * yet: bound to the account) or, signed in, when approving `npm login` (bound to the session).
   */
  async secondFactorOptions(
    user: User & { mustChangePassword?: boolean },
    sessionId: string | null,
  ): Promise<Options<'second-factor'>> {
    // At sign-in, a leaked password found by the password step travels with the challenge to the session.
    const challenge = await this.issue('second-factor', user, sessionId, false, user.mustChangePassword === true);
    const keys = await this.list(user);
    return generateAuthenticationOptions({
      rpID: this.relyingParty().id,
      challenge,
      userVerification: 'preferred',
      allowCredentials: keys.map((c) => ({ id: c.id, transports: c.transports as AuthenticatorTransportFuture[] })),
    });
  }

  async verifySecondFactor(user: User, answerText: unknown, sessionId: string | null): Promise<void> {
    const { answer, clientData, counter } = parseAssertion(answerText);
    await this.take(clientData, 'webauthn.get', { purpose: 'second-factor', userId: user.id, sessionId });
    const key = await this.deps.store.webauthn.credential(answer.id);
    if (!key || key.userId !== user.id) fail('WebAuthnCredentialUnknown', 'This security key is not registered to this account.');
    await this.check(key, answer, clientData, counter, false);
  }

  /** The sign-in key step: the account whose password passed (the challenge names it) and its key's assertion. */
  async verifyKeyStep(answerText: unknown): Promise<User & { mustChangePassword: boolean }> {
    const { answer, clientData, counter } = parseAssertion(answerText);
    const stored = await this.take(clientData, 'webauthn.get', { purpose: 'second-factor', userId: 'any', sessionId: null });
    const key = await this.deps.store.webauthn.credential(answer.id);
    const user = stored.userId === null ? undefined : await this.deps.store.users.byId(stored.userId);
    if (!key || !user || key.userId !== user.id)
      fail('WebAuthnCredentialUnknown', 'This security key is not registered to this account.');
    await this.check(key, answer, clientData, counter, false);
    return { ...user, mustChangePassword: stored.passwordChangeRequired === true };
  }

  /** The sign-in page's "Sign in with a passkey": a challenge for any discoverable credential of this site. */
  async passkeyOptions(): Promise<Options<'passkey'>> {
    const challenge = await this.issue('passkey', null, null);
    return generateAuthenticationOptions({ rpID: this.relyingParty().id, challenge, userVerification: 'required' });
  }

  /** A passkey's user-verified assertion: the account it belongs to, with nothing typed. */
  async verifyPasskey(answerText: unknown): Promise<User> {
    const { answer, clientData, counter } = parseAssertion(answerText);
    await this.take(clientData, 'webauthn.get', { purpose: 'passkey', userId: null, sessionId: null });
    const key = await this.deps.store.webauthn.credential(answer.id);
    const owner = key?.passkey ? await this.deps.store.users.byId(key.userId) : undefined;
    if (!key || !owner || (answer.response.userHandle && answer.response.userHandle !== userHandleOf(owner))) {
      fail('WebAuthnCredentialUnknown', 'No account here has this passkey. Sign in with your password, then add it.');
    }
    await this.check(key, answer, clientData, counter, true);
    return owner;
  }

  /** The signature, RP ID and user presence (and verification for a passkey); then the counter moves forward once. */
  private async check(
    key: WebAuthnCredential,
    answer: AuthenticationResponseJSON,
    clientData: ClientData,
    counter: number,
    requireUserVerification: boolean,
  ): Promise<void> {
    // WebAuthn §6.1.1: a counter that does not grow (when the key keeps one) means a clone or a replay.
    if ((counter !== 0 || key.counter !== 0) && counter <= key.counter) {
      fail(
        'WebAuthnCounterReplayed',
        'This security key’s signature counter went backwards; the key may be cloned. Nothing was changed.',
      );
    }
    const rp = this.relyingParty();
    const result = await verifyAuthenticationResponse({
      response: answer,
      expectedChallenge: clientData.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification,
      credential: {
        id: key.id,
        publicKey: Buffer.from(key.publicKey, 'base64url'),
        counter: key.counter,
        transports: key.transports as AuthenticatorTransportFuture[],
      },
    }).catch(() => undefined);
    if (!result?.verified) fail('WebAuthnRejected', 'The security key’s answer did not check out. Try again.');
    if (!(await this.deps.store.webauthn.recordUse(key.id, key.counter, counter, this.nowIso()))) {
      fail('WebAuthnCounterReplayed', 'This security key answer was already used. Try again.');
    }
  }
}

/** The user handle registration gave the authenticator (the account id), base64url as browsers return it. */
function userHandleOf(user: User): string {
  return Buffer.from(String(user.id)).toString('base64url');
}
