// Kysely implementation of the token repository. Lookups are by the token's SHA-256 only.
import type { Kysely, Selectable } from 'kysely';
import type { DB, TokensTable } from './schema.js';
import type { TokenRecord, TokenStore } from '../../domain/tokens/store.js';
import { JOINED_USER_COLUMNS, joinedUser } from './users.js';
import { isTokenScope, type TokenScope } from '../../domain/tokens/scopes.js';

/** Unknown names are dropped, never widened: a token can only lose what the code no longer knows. */
function scopesOf(text: string): TokenScope[] {
  const parsed = JSON.parse(text) as unknown;
  return Array.isArray(parsed) ? parsed.filter(isTokenScope) : [];
}

/** A JSON list of strings, or null (no limit). A stored list that does not parse limits to nothing. */
function listOf(text: string | null): string[] | null {
  if (text === null) return null;
  const parsed = JSON.parse(text) as unknown;
  return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
}

function toToken(row: Selectable<TokensTable>): TokenRecord {
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    display: row.display,
    scopes: scopesOf(row.scopes),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    kind: row.kind === 'session' ? 'session' : 'automation',
    name: row.name,
    packages: listOf(row.packages),
    cidrs: listOf(row.cidrs),
    bypass2fa: Number(row.bypass_2fa) === 1,
    lastUsedAt: row.last_used_at,
    lastUsedIp: row.last_used_ip,
  };
}

export function tokenStore(db: Kysely<DB>): TokenStore {
  return {
    async insert(token) {
      const row = await db
        .insertInto('tokens')
        .values({
          user_id: token.userId,
          token_hash: token.tokenHash,
          display: token.display,
          scopes: JSON.stringify(token.scopes),
          created_at: token.createdAt,
          expires_at: token.expiresAt,
          kind: token.kind,
          name: token.name ?? '',
          packages: token.packages ? JSON.stringify(token.packages) : null,
          cidrs: token.cidrs ? JSON.stringify(token.cidrs) : null,
          bypass_2fa: token.bypass2fa ? 1 : 0,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toToken(row);
    },
    async byHash(tokenHash) {
      const row = await db
        .selectFrom('tokens')
        .innerJoin('users', 'users.id', 'tokens.user_id')
        .selectAll('tokens')
        .select(JOINED_USER_COLUMNS)
        .where('tokens.token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row) return undefined;
      const user = joinedUser(row);
      return { token: toToken(row), user };
    },
    async revoke(id, at) {
      await db.updateTable('tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    },
    async forUser(userId) {
      const rows = await db.selectFrom('tokens').selectAll().where('user_id', '=', userId).orderBy('id').execute();
      return rows.map(toToken);
    },
    async touch(uses) {
      // One small update per token; the time only moves forwards, so instances flushing out of
      // order never record an older use over a newer one. A lost write loses only a last-use time.
      for (const use of uses) {
        await db
          .updateTable('tokens')
          .set({ last_used_at: use.at, last_used_ip: use.ip })
          .where('id', '=', use.id)
          .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', use.at)]))
          .execute();
      }
    },
  };
}
