// Self-service sign-up: `npm adduser` (the legacy CouchDB PUT with an email) and the /signup page.
// A new account starts unverified: it may log in, but cannot publish until the link mailed to its
// address is opened (verification.ts). Refusals happen before anything is written; the account,
// its events and its first token are one transaction. Never logs or keeps the password.
import type { Store } from '../store.js';
import type { User } from './store.js';
import type { TokenService } from '../tokens/service.js';
import type { RequestContext } from '../access/context.js';
import type { PasswordScreen } from './password-screen.js';
import type { PasswordGate } from './password-gate.js';
import type { AccountService } from './service.js';
import { MIN_PASSWORD } from './service.js';
import { userActor } from '../access/actor.js';
import { fail, isGatehouseError } from '../errors.js';
import { hashPassword } from './passwords.js';
import { parseEmail, parsePassword, parseUsername } from './names.js';
import { dateOf, type Clock } from '../clock.js';
import { newRequestId } from '../mail/links.js';

export interface SignupDeps {
  store: Store;
  tokens: TokenService;
  accounts: AccountService;
  gate: PasswordGate;
  screen: PasswordScreen;
  clock: Clock;
  /** The operator's `signup` setting. */
  enabled: boolean;
}

export interface SignupInput {
  name: unknown;
  email: unknown;
  password: unknown;
}

export class SignupService {
  constructor(private readonly deps: SignupDeps) {}

  get enabled(): boolean {
    return this.deps.enabled;
  }

  /**
   * `npm adduser`: creates the account, or, for a name that exists, logs its owner in (the
   * protocol's advice, and what npm and Verdaccio do); with a wrong password the name is taken.
   */
  async addUser(
    context: RequestContext,
    input: SignupInput,
    secondStep?: (user: User) => Promise<void>,
  ): Promise<{ user: User; token: string; created: boolean }> {
    const name = parseUsername(input.name);
    if (await this.deps.store.users.byName(name)) {
      try {
        const login = await this.deps.accounts.loginWithPassword(name, input.password, context, secondStep);
        return { ...login, created: false };
      } catch (err) {
        if (isGatehouseError(err) && err.code === 'BadCredentials') fail('UserExists', `The username "${name}" is taken.`);
        throw err;
      }
    }
    const { user, token } = await this.signUp(context, input, { token: true });
    return { user, token: token!, created: true };
  }

  /**
   * A new unverified account, with a login token for a client that needs one (npm adduser); the
   * verification mail follows from its event.
   */
  async signUp(_context: RequestContext, input: SignupInput, opts: { token: boolean }): Promise<{ user: User; token?: string }> {
    if (!this.deps.enabled) {
      fail('SignupClosed', 'This registry does not take sign-ups; ask its administrators for an account.');
    }
    const name = parseUsername(input.name);
    const email = signupEmail(input.email);
    const password = await this.acceptablePassword(input.password);
    const passwordHash = await this.deps.gate.run(() => hashPassword(password));
    const createdAt = dateOf(this.deps.clock).toISOString();
    return this.deps.store.transaction(async (tx) => {
      await tx.verifications.lockEmail(email);
      if (await tx.verifications.emailInUse(email)) {
        fail('EmailInUse', 'Another account uses this email address; sign in to it, or use another address.');
      }
      const user = await tx.users.insert({ name, email, emailVerified: false, passwordHash, isAdmin: false, createdAt });
      if (!user) fail('UserExists', `The username "${name}" is taken.`);
      const actor = userActor(user);
      await tx.events.append({ type: 'user.created', actor, data: { user: name, admin: false, via: 'signup' }, createdAt });
      await tx.events.append({
        type: 'email.verification_requested',
        actor,
        data: { email, request: newRequestId() },
        createdAt,
      });
      if (!opts.token) return { user };
      const { secret } = await this.deps.tokens.create(tx, user, { reason: 'signup', kind: 'session' });
      return { user, token: secret };
    });
  }

  /** The creation rules, checked before any hash: size, length, then the breach screen. */
  private async acceptablePassword(raw: unknown): Promise<string> {
    const password = parsePassword(raw);
    if (password.length === 0) fail('PasswordEmpty', 'Choose a password.');
    if (password.length < MIN_PASSWORD) fail('PasswordTooShort', `A password needs at least ${MIN_PASSWORD} characters.`);
    if (await this.deps.screen.isLeaked(password)) {
      fail('PasswordLeaked', 'This password appears in known data breaches; choose another one.');
    }
    return password;
  }
}

function signupEmail(raw: unknown): string {
  try {
    return parseEmail(typeof raw === 'string' ? raw.trim() : raw);
  } catch (err) {
    if (isGatehouseError(err)) fail('InvalidEmail', err.message);
    throw err;
  }
}
