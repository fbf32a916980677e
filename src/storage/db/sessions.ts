// Kysely implementation of the web session repository. Lookups are by the secret's SHA-256 only.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, WebSessionsTable } from './schema.js';
import type { SessionStore, WebSession } from '../../domain/sessions/store.js';
import { JOINED_USER_COLUMNS, joinedUser } from './users.js';
import { toEvent } from './events.js';

function toSession(row: Selectable<WebSessionsTable>): WebSession {
  return {
    id: row.id,
    userId: Number(row.user_id),
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    ip: row.ip,
    userAgent: row.user_agent,
    passwordChangeRequired: Number(row.password_change_required) === 1,
  };
}

/** LIKE treats % and _ as wildcards; a name is matched as typed. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function sessionStore(db: Kysely<DB>): SessionStore {
  return {
    async insert(s) {
      await db
        .insertInto('web_sessions')
        .values({
          id: s.id,
          secret_hash: s.secretHash,
          user_id: s.userId,
          created_at: s.createdAt,
          last_seen_at: s.lastSeenAt,
          expires_at: s.expiresAt,
          revoked_at: s.revokedAt,
          ip: s.ip,
          user_agent: s.userAgent,
          password_change_required: s.passwordChangeRequired ? 1 : 0,
        })
        .execute();
    },
    async byHash(secretHash) {
      const row = await db
        .selectFrom('web_sessions')
        .innerJoin('users', 'users.id', 'web_sessions.user_id')
        .selectAll('web_sessions')
        .select(JOINED_USER_COLUMNS)
        .where('web_sessions.secret_hash', '=', secretHash)
        .executeTakeFirst();
      if (!row) return undefined;
      const user = joinedUser(row);
      return { session: toSession(row), user };
    },
    async touch(id, at) {
      await db.updateTable('web_sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
    },
    async revoke(id, at) {
      const result = await db
        .updateTable('web_sessions')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async live(userId, now) {
      const rows = await db
        .selectFrom('web_sessions')
        .selectAll()
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map(toSession);
    },
    async accountLog(user, limit) {
      // Canonical JSON (events/encoding.ts) writes {"user":"<name>"} with no spaces.
      const aboutUser = `%"user":${likeLiteral(JSON.stringify(user.name))}%`;
      const rows = await db
        .selectFrom('events')
        .selectAll()
        .where((eb) =>
          eb.or([
            eb.and([eb('actor_kind', '=', 'user'), eb('actor_id', '=', String(user.id))]),
            eb.and([eb('type', 'in', ['owner.added', 'owner.removed']), sql<boolean>`data like ${aboutUser} escape '\\'`]),
          ]),
        )
        .orderBy('seq', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toEvent);
    },
  };
}
