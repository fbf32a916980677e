// Accounts: creating users, checking passwords, and the two ways npm logs in (the legacy
// CouchDB PUT and the web flow). Every change writes its event in the same transaction.
import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../store.js';
import type { User } from './store.js';
import type { TokenService } from '../tokens/service.js';
import { fail } from '../errors.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.js';
import { parseEmail, parseUsername } from './names.js';

const WEB_LOGIN_TTL_MS = 10 * 60 * 1000;
const MIN_PASSWORD = 10;

export class AccountService {
  constructor(
    private readonly store: Store,
    private readonly tokens: TokenService,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The bootstrap path (`gatehouse user create`): an administrator vouches for the email. */
  async createUser(input: { name: string; email: string; password: string; isAdmin: boolean; actorId?: number }) {
    const name = parseUsername(input.name);
    const email = parseEmail(input.email);
    if (input.password.length < MIN_PASSWORD) fail('BadRequest', `A password needs at least ${MIN_PASSWORD} characters.`);
    const passwordHash = await hashPassword(input.password);
    const createdAt = this.now().toISOString();
    return this.store.transaction(async (tx) => {
      const user = await tx.users.insert({ name, email, emailVerified: true, passwordHash, isAdmin: input.isAdmin, createdAt });
      if (!user) fail('UserExists', `The username "${name}" is taken.`);
      await tx.events.append({
        type: 'user.created',
        actorId: input.actorId ?? null,
        data: { user: name, admin: input.isAdmin, via: 'admin' },
        createdAt,
      });
      return user;
    });
  }

  /** Checks a password; the same answer and about the same time for an unknown user as a wrong password. */
  async checkPassword(name: string, password: string): Promise<User> {
    const user = await this.store.users.byName(name);
    const stored = user ? await this.store.users.passwordHash(user.id) : undefined;
    const ok = await verifyPassword(password, stored ?? (await DUMMY_HASH));
    if (!user || !stored || !ok) fail('BadCredentials', 'Incorrect username or password.');
    return user;
  }

  /** npm login --auth-type=legacy: the password buys a session token. */
  async loginWithPassword(name: string, password: string): Promise<{ user: User; token: string }> {
    const user = await this.checkPassword(name, password);
    const token = await this.store.transaction(async (tx) => {
      const { secret } = await this.tokens.create(tx, user, { reason: 'login' });
      await tx.events.append({
        type: 'user.login',
        actorId: user.id,
        data: { method: 'password' },
        createdAt: this.now().toISOString(),
      });
      return secret;
    });
    return { user, token };
  }

  /** npm login (web): a sign-in page for the person, a done URL for the CLI to poll. */
  async startWebLogin(): Promise<{ id: string; doneSecret: string }> {
    const id = randomBytes(16).toString('hex');
    const doneSecret = randomBytes(32).toString('base64url');
    const now = this.now();
    await this.store.webLogins.insert({
      id,
      doneHash: sha256(doneSecret),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + WEB_LOGIN_TTL_MS).toISOString(),
    });
    return { id, doneSecret };
  }

  async pendingWebLogin(id: string) {
    const login = await this.store.webLogins.byId(id);
    if (!login || login.consumedAt || Date.parse(login.expiresAt) < this.now().getTime()) {
      fail('NotFound', 'This sign-in link has expired or was already used. Run `npm login` again.');
    }
    return login;
  }

  /** The person signed in on the page: the waiting CLI may now collect a token. */
  async approveWebLogin(id: string, name: string, password: string): Promise<User> {
    const login = await this.pendingWebLogin(id);
    const user = await this.checkPassword(name, password);
    await this.store.transaction(async (tx) => {
      await tx.webLogins.approve(login.id, user.id);
      await tx.events.append({
        type: 'user.login',
        actorId: user.id,
        data: { method: 'web' },
        createdAt: this.now().toISOString(),
      });
    });
    return user;
  }

  /** The CLI's poll: undefined while waiting, the token once, then not found. */
  async pollWebLogin(doneSecret: string): Promise<string | undefined> {
    const login = await this.store.webLogins.byDoneHash(sha256(doneSecret));
    if (!login || login.consumedAt || Date.parse(login.expiresAt) < this.now().getTime()) {
      fail('NotFound', 'This login has expired or was already completed. Run `npm login` again.');
    }
    if (login.userId === null) return undefined;
    const userId = login.userId;
    return this.store.transaction(async (tx) => {
      if (!(await tx.webLogins.consume(login.id, this.now().toISOString())))
        fail('NotFound', 'This login was already completed.');
      const user = await tx.users.byId(userId);
      if (!user) fail('NotFound', 'The account for this login no longer exists.');
      const { secret } = await this.tokens.create(tx, user, { reason: 'web login' });
      return secret;
    });
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
