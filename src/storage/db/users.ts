// Kysely implementation of the account repositories.
import type { Kysely, Selectable } from 'kysely';
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
  };
}

function toWebLogin(row: Selectable<WebLoginsTable>): WebLogin {
  return {
    id: row.id,
    userId: row.user_id === null ? null : Number(row.user_id),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
  };
}

export function webLoginStore(db: Kysely<DB>): WebLoginStore {
  return {
    async insert(login) {
      await db
        .insertInto('web_logins')
        .values({ id: login.id, done_hash: login.doneHash, created_at: login.createdAt, expires_at: login.expiresAt })
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
    async approve(id, userId) {
      await db.updateTable('web_logins').set({ user_id: userId }).where('id', '=', id).execute();
    },
    async consume(id, at) {
      const result = await db
        .updateTable('web_logins')
        .set({ consumed_at: at })
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
