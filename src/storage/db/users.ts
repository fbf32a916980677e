// Kysely implementation of the account repositories.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Engine } from './engine.js';
import type { DB, UsersTable, WebLoginsTable } from './schema.js';
import type { NewUser, User, UserStore } from '../../domain/accounts/store.js';
import type { WebLogin, WebLoginStore } from '../../domain/accounts/web-login-store.js';

export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: Number(row.id),
    name: row.name,
    email: row.email,
    emailVerified: row.email_verified === 1,
    isAdmin: row.is_admin === 1,
    createdAt: row.created_at,
  };
}

/** The owner's columns a row joined to `users` carries (never the password hash), by these names. */
export const JOINED_USER_COLUMNS = [
  'users.name',
  'users.email',
  'users.email_verified',
  'users.is_admin',
  'users.created_at as user_created_at',
] as const;

/** The owner of a row selected with JOINED_USER_COLUMNS and its own `user_id`. */
export function joinedUser(row: {
  user_id: number;
  name: string;
  email: string;
  email_verified: number;
  is_admin: number;
  user_created_at: string;
}): User {
  return toUser({
    id: row.user_id,
    name: row.name,
    email: row.email,
    email_verified: row.email_verified,
    is_admin: row.is_admin,
    created_at: row.user_created_at,
    password_hash: '',
  });
}

export function userStore(db: Kysely<DB>): UserStore {
  return {
    async insert(user: NewUser) {
      const row = await db
        .insertInto('users')
        .values({
          name: user.name,
          email: user.email,
          email_verified: user.emailVerified ? 1 : 0,
          password_hash: user.passwordHash,
          is_admin: user.isAdmin ? 1 : 0,
          created_at: user.createdAt,
        })
        .onConflict((oc) => oc.column('name').doNothing())
        .returningAll()
        .executeTakeFirst();
      return row && toUser(row);
    },
    async byName(name) {
      const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
      return row && toUser(row);
    },
    async byId(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    async passwordHash(userId) {
      const row = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
      return row?.password_hash;
    },
    async setPasswordHash(userId, passwordHash) {
      await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
    },
  };
}

function toWebLogin(row: Selectable<WebLoginsTable>): WebLogin {
  return {
    id: row.id,
    userId: row.user_id === null ? null : Number(row.user_id),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
    requestedBy: { ip: row.requester_ip, userAgent: row.requester_agent },
  };
}

export function webLoginStore(db: Kysely<DB>, engine: Engine): WebLoginStore {
  const pending = (now: string) =>
    db.selectFrom('web_logins').where('user_id', 'is', null).where('consumed_at', 'is', null).where('expires_at', '>', now);
  return {
    async insert(login) {
      await db
        .insertInto('web_logins')
        .values({
          id: login.id,
          done_hash: login.doneHash,
          created_at: login.createdAt,
          expires_at: login.expiresAt,
          requester_ip: login.requestedBy.ip,
          requester_agent: login.requestedBy.userAgent,
        })
        .execute();
    },
    async byId(id) {
      const row = await db.selectFrom('web_logins').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toWebLogin(row);
    },
    async byDoneHash(doneHash) {
      const row = await db.selectFrom('web_logins').selectAll().where('done_hash', '=', doneHash).executeTakeFirst();
      return row && toWebLogin(row);
    },
    async lockRequester(ip) {
      // SQLite runs one write transaction at a time already; PostgreSQL needs a lock per address,
      // held until commit, or two requests could both count nine and both insert a tenth.
      if (engine === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`web-login:${ip}`}))`.execute(db);
    },
    async pendingFrom(ip, now) {
      const row = await pending(now)
        .where('requester_ip', '=', ip)
        .select((eb) => [eb.fn.countAll<number | string>().as('count'), eb.fn.min('expires_at').as('first')])
        .executeTakeFirst();
      return { count: Number(row?.count ?? 0), firstExpiry: (row?.first as string | null | undefined) ?? null };
    },
    async purgeExpired(now) {
      const result = await db.deleteFrom('web_logins').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async approve(id, userId, now) {
      const result = await db
        .updateTable('web_logins')
        .set({ user_id: userId })
        .where('id', '=', id)
        .where('user_id', 'is', null)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async consume(id, at) {
      const result = await db
        .updateTable('web_logins')
        .set({ consumed_at: at })
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .where('user_id', 'is not', null)
        .where('expires_at', '>', at)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
