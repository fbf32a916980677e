// Kysely implementation of the trust store (domain/trust/store.ts). Same SQL on both engines;
// the jti insert uses ON CONFLICT DO NOTHING … RETURNING so a replay is an answer, not an
// aborted transaction.
import type { Kysely, Selectable } from 'kysely';
import type { DB, TrustedPublishersTable } from './schema.js';
import type { TrustStore } from '../../domain/trust/store.js';
import type { TrustConfig, TrustSpec } from '../../domain/trust/configs.js';

function specOf(row: Selectable<TrustedPublishersTable>): TrustSpec {
  const claims = JSON.parse(row.claims) as never;
  return row.type === 'custom' ? { type: 'custom', issuer: row.issuer, claims } : ({ type: row.type, claims } as TrustSpec);
}

async function withPackages(db: Kysely<DB>, rows: Selectable<TrustedPublishersTable>[]): Promise<TrustConfig[]> {
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('trusted_publisher_packages')
    .selectAll()
    .where(
      'publisher_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('package_name')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    spec: specOf(row),
    permissions: JSON.parse(row.permissions) as TrustConfig['permissions'],
    packages: links.filter((l) => l.publisher_id === row.id).map((l) => l.package_name),
    createdBy: Number(row.created_by),
    createdAt: row.created_at,
    pendingUntil: row.pending_until,
  }));
}

export function trustStore(db: Kysely<DB>): TrustStore {
  return {
    async insert(config) {
      await db
        .insertInto('trusted_publishers')
        .values({
          id: config.id,
          type: config.spec.type,
          issuer: config.spec.type === 'custom' ? config.spec.issuer : '',
          claims: JSON.stringify(config.spec.claims),
          permissions: JSON.stringify(config.permissions),
          created_by: config.createdBy,
          created_at: config.createdAt,
          pending_until: config.pendingUntil,
        })
        .execute();
      await db
        .insertInto('trusted_publisher_packages')
        .values(config.packages.map((name) => ({ publisher_id: config.id, package_name: name })))
        .execute();
    },
    async byId(id) {
      const rows = await db.selectFrom('trusted_publishers').selectAll().where('id', '=', id).execute();
      return (await withPackages(db, rows))[0];
    },
    async forPackage(name) {
      const rows = await db
        .selectFrom('trusted_publishers')
        .innerJoin('trusted_publisher_packages', 'trusted_publisher_packages.publisher_id', 'trusted_publishers.id')
        .selectAll('trusted_publishers')
        .where('trusted_publisher_packages.package_name', '=', name)
        .orderBy('trusted_publishers.created_at')
        .orderBy('trusted_publishers.id')
        .execute();
      return withPackages(db, rows);
    },
    async remove(id) {
      // Explicit rather than relying on ON DELETE CASCADE, which SQLite applies only with foreign keys on.
      await db.deleteFrom('trusted_publish_tokens').where('publisher_id', '=', id).execute();
      await db.deleteFrom('trusted_publisher_packages').where('publisher_id', '=', id).execute();
      await db.deleteFrom('trusted_publishers').where('id', '=', id).execute();
    },
    async unlink(id, name) {
      await db.deleteFrom('trusted_publish_tokens').where('publisher_id', '=', id).where('package_name', '=', name).execute();
      await db.deleteFrom('trusted_publisher_packages').where('publisher_id', '=', id).where('package_name', '=', name).execute();
    },
    async update(id, change) {
      await db
        .updateTable('trusted_publishers')
        .set({
          ...(change.claims !== undefined && { claims: JSON.stringify(change.claims) }),
          ...(change.pendingUntil === null && { pending_until: null }),
        })
        .where('id', '=', id)
        .execute();
    },
    async recordTokenId(issuer, jti, expiresAt) {
      const inserted = await db
        .insertInto('oidc_token_ids')
        .values({ issuer, jti, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['issuer', 'jti']).doNothing())
        .returning('jti')
        .executeTakeFirst();
      return inserted !== undefined;
    },
    async pruneExpired(before) {
      await db.deleteFrom('oidc_token_ids').where('expires_at', '<', before).execute();
      await db.deleteFrom('trusted_publish_tokens').where('expires_at', '<', before).execute();
    },
    async insertToken(token) {
      await db
        .insertInto('trusted_publish_tokens')
        .values({
          token_hash: token.tokenHash,
          publisher_id: token.publisherId,
          package_name: token.packageName,
          identity: JSON.stringify(token.identity),
          created_at: token.createdAt,
          expires_at: token.expiresAt,
        })
        .execute();
    },
    async tokenByHash(tokenHash) {
      const row = await db
        .selectFrom('trusted_publish_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!row) return undefined;
      const config = await this.byId(row.publisher_id);
      if (!config) return undefined;
      return {
        publisherId: row.publisher_id,
        packageName: row.package_name,
        identity: JSON.parse(row.identity) as Record<string, string>,
        expiresAt: row.expires_at,
        config,
      };
    },
  };
}
