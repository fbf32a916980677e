// Tokens: the gth_ format and its checksum, storage as SHA-256 only, and which tokens authenticate.
// Runs the real TokenService over a fresh database on each engine.
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, freshDatabase, type TestDatabase } from '../support/engines.js';
import { openDatabase } from '../../src/storage/db/database.js';
import { createDbStore } from '../../src/storage/db/store.js';
import type { DB } from '../../src/storage/db/schema.js';
import type { Store } from '../../src/domain/store.js';
import type { User } from '../../src/domain/accounts/store.js';
import { TokenService } from '../../src/domain/tokens/service.js';
import type { TokenScope } from '../../src/domain/tokens/scopes.js';
import { generateToken, hashToken, isWellFormedToken, TOKEN_PREFIX } from '../../src/domain/tokens/format.js';
import { openRegistry } from '../../src/registry.js';
import { isEvent } from '../../src/domain/events/store.js';
import { tokenContext } from '../support/context.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('token format', () => {
  it('is gth_ followed by 36 base62 characters, different every time', () => {
    const tokens = Array.from({ length: 200 }, generateToken);
    for (const token of tokens) {
      expect(token).toMatch(/^gth_[0-9A-Za-z]{36}$/);
      expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
      expect(isWellFormedToken(token)).toBe(true);
    }
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('has a checksum that catches any one-character change', () => {
    for (let n = 0; n < 5; n++) {
      const token = generateToken();
      for (let i = TOKEN_PREFIX.length; i < token.length; i++) {
        for (const c of ALPHABET) {
          if (c === token[i]) continue;
          const changed = token.slice(0, i) + c + token.slice(i + 1);
          expect(isWellFormedToken(changed), changed).toBe(false);
        }
      }
    }
  });

  it('refuses look-alikes: other prefixes, lengths and characters', () => {
    const token = generateToken();
    const body = token.slice(TOKEN_PREFIX.length);
    for (const lookalike of [
      `ghp_${body}`,
      `GTH_${body}`,
      `gth-${body}`,
      token.slice(0, -1),
      `${token}0`,
      `${token.slice(0, 10)}-${token.slice(11)}`,
      '',
      'gth_',
    ]) {
      expect(isWellFormedToken(lookalike), lookalike).toBe(false);
    }
  });

  it('hashes to the SHA-256 hex of the whole token', () => {
    const token = generateToken();
    expect(hashToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
  });
});

for (const engine of ENGINES) {
  describe(`token storage and authentication (${engine})`, () => {
    let database: TestDatabase;
    let db: Kysely<DB>;
    let store: Store;
    let alice: User;
    let bob: User;
    let clock = new Date('2030-01-01T00:00:00.000Z');
    let tokens: TokenService;

    const issue = (user: User, opts: { scopes?: TokenScope[]; expiresAt?: string | null } = {}) =>
      store.transaction((tx) => tokens.create(tx, user, { ...opts, reason: 'test' }));

    async function insertUser(name: string): Promise<User> {
      // A stand-in hash: these tests never check a password, so scrypt's cost is not needed.
      const user = await store.users.insert({
        name,
        email: `${name}@example.com`,
        emailVerified: true,
        passwordHash: 'scrypt$stand-in',
        isAdmin: false,
        createdAt: clock.toISOString(),
      });
      return user!;
    }

    beforeAll(async () => {
      database = await freshDatabase(engine);
      const opened = await openDatabase(database.config);
      db = opened.db;
      store = createDbStore(db, opened.engine);
      tokens = new TokenService(store, { now: () => clock.getTime() });
      alice = await insertUser('alice');
      bob = await insertUser('bob');
    });
    afterAll(async () => {
      await store.close();
      await database.dispose();
    });

    it('stores a token only as its SHA-256: the plaintext is nowhere in the database', async () => {
      const { secret, record } = await issue(alice);
      const row = await db.selectFrom('tokens').selectAll().where('id', '=', record.id).executeTakeFirstOrThrow();
      expect(row.token_hash).toBe(createHash('sha256').update(secret).digest('hex'));
      expect(secret.startsWith(row.display.replace(/…$/, ''))).toBe(true);
      expect(row.display.replace(/…$/, '').length).toBeLessThanOrEqual(TOKEN_PREFIX.length + 4);
      const body = secret.slice(TOKEN_PREFIX.length);
      const tables = [
        'users',
        'tokens',
        'packages',
        'package_owners',
        'versions',
        'version_dependencies',
        'dist_tags',
        'events',
        'web_logins',
      ] as const;
      for (const table of tables) {
        const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db);
        const text = JSON.stringify(rows.rows);
        expect(text, table).not.toContain(secret);
        expect(text, table).not.toContain(body);
        expect(text, table).not.toContain(body.slice(0, 20));
      }
    });

    it('authenticates a live token as its user', async () => {
      const { secret, record } = await issue(alice, { scopes: ['read'] });
      const found = await tokens.authenticate(secret);
      expect(found?.user.id).toBe(alice.id);
      expect(found?.token).toMatchObject({ id: record.id, scopes: ['read'], revokedAt: null });
    });

    it('stores scopes as a JSON list, defaults to every scope, and drops names it does not know', async () => {
      const { record } = await issue(bob);
      expect(record.scopes).toEqual(['read', 'publish', 'manage']);
      const row = await db.selectFrom('tokens').select('scopes').where('id', '=', record.id).executeTakeFirstOrThrow();
      expect(row.scopes).toBe('["read","publish","manage"]');
      // A scope this release does not know (written by a newer one) is never taken for another.
      await db.updateTable('tokens').set({ scopes: '["read","admin"]' }).where('id', '=', record.id).execute();
      const [listed] = (await store.tokens.forUser(bob.id)).filter((t) => t.id === record.id);
      expect(listed?.scopes).toEqual(['read']);
    });

    it('does not authenticate a token whose checksum is wrong, without asking the database', async () => {
      const lookups: string[] = [];
      const spying = new TokenService({
        ...store,
        tokens: {
          ...store.tokens,
          byHash: (hash) => {
            lookups.push(hash);
            return store.tokens.byHash(hash);
          },
        },
      });
      const { secret } = await issue(alice);
      const last = secret.at(-1) === 'A' ? 'B' : 'A';
      expect(await spying.authenticate(secret.slice(0, -1) + last)).toBeUndefined();
      expect(await spying.authenticate('not a token')).toBeUndefined();
      expect(lookups).toEqual([]);
      expect(await spying.authenticate(secret)).toBeDefined();
      expect(lookups).toHaveLength(1);
    });

    it('does not authenticate a well-formed token that was never issued', async () => {
      expect(await tokens.authenticate(generateToken())).toBeUndefined();
    });

    it('does not authenticate an expired token', async () => {
      const { secret } = await issue(alice, { expiresAt: new Date(clock.getTime() - 1000).toISOString() });
      expect(await tokens.authenticate(secret)).toBeUndefined();
    });

    it('stops authenticating a token the moment it expires, even while it is cached', async () => {
      const start = clock;
      try {
        const { secret } = await issue(alice, { expiresAt: new Date(start.getTime() + 60_000).toISOString() });
        expect(await tokens.authenticate(secret)).toBeDefined();
        clock = new Date(start.getTime() + 60_000);
        expect(await tokens.authenticate(secret)).toBeUndefined();
      } finally {
        clock = start;
      }
    });

    it('stops authenticating a revoked token at once, even while it is cached', async () => {
      const { secret } = await issue(alice);
      // npm logout: the token revokes itself.
      const asAlice = tokenContext(await tokens.authenticate(secret));
      expect(await tokens.revokeBySecret(asAlice, secret)).toBe(true);
      expect(await tokens.authenticate(secret)).toBeUndefined();
      expect(await tokens.revokeBySecret(asAlice, secret)).toBe(false);
      const row = await db
        .selectFrom('tokens')
        .select('revoked_at')
        .where('token_hash', '=', hashToken(secret))
        .executeTakeFirstOrThrow();
      expect(row.revoked_at).toBe(clock.toISOString());
    });

    it("does not let one user revoke another's token", async () => {
      const { secret } = await issue(alice);
      const asBob = tokenContext(await tokens.authenticate((await issue(bob)).secret));
      expect(await tokens.revokeBySecret(asBob, secret)).toBe(false);
      expect((await tokens.authenticate(secret))?.user.id).toBe(alice.id);
    });

    it('keeps a live token cached however many forged well-formed tokens are tried', async () => {
      // A fresh service: the cache starts empty, as after a restart.
      const service = new TokenService(store, { now: () => clock.getTime() });
      const { secret, record } = await issue(alice);
      expect(await service.authenticate(secret)).toBeDefined();
      const forged = Array.from({ length: 20_000 }, generateToken);
      for (let i = 0; i < forged.length; i += 200) {
        const answers = await Promise.all(forged.slice(i, i + 200).map((f) => service.authenticate(f)));
        expect(answers.every((a) => a === undefined)).toBe(true);
      }
      // The read fast path answers from the cache alone: 'unknown' would send it to the database.
      const peeked = service.peek(secret);
      expect(peeked !== 'invalid' && peeked !== 'unknown' && peeked.token.id).toBe(record.id);
      // Forgeries are remembered too, within their own bound: the latest are refused from memory.
      expect(service.peek(forged.at(-1)!)).toBe('invalid');
    });

    it('records token events without the token', async () => {
      const { secret, record } = await issue(bob);
      expect(await tokens.revokeBySecret(tokenContext(await tokens.authenticate(secret)), secret)).toBe(true);
      const events = (await store.events.since(0, 1000))
        .filter(isEvent('token.created', 'token.revoked'))
        .filter((e) => e.data.tokenId === record.id);
      expect(events.map((e) => e.type)).toEqual(['token.created', 'token.revoked']);
      for (const event of events)
        expect(JSON.stringify(event)).not.toContain(secret.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + 8));
    });
  });

  describe(`token revocation across instances (${engine})`, () => {
    it('stops a token on a second instance once it follows the event log', async () => {
      const database = await freshDatabase(engine);
      const first = await openRegistry(database.config);
      const second = await openRegistry(database.config);
      try {
        const user = await first.accounts.createUser({
          name: 'alice',
          email: 'alice@example.com',
          password: 'correct horse battery',
          isAdmin: false,
        });
        const { secret } = await first.store.transaction((tx) => first.tokens.create(tx, user, { reason: 'test' }));
        expect(await second.tokens.authenticate(secret)).toBeDefined();
        expect(await first.tokens.revokeBySecret(tokenContext(await first.tokens.authenticate(secret)), secret)).toBe(true);
        expect(await first.tokens.authenticate(secret)).toBeUndefined();
        await second.events.poll();
        expect(await second.tokens.authenticate(secret)).toBeUndefined();
      } finally {
        await first.close();
        await second.close();
        await database.dispose();
      }
    });
  });
}
