// Trusted publishing (domain/trust): the trust configurations package maintainers set up, the
// packages each covers, the ID-token ids already exchanged (so a token is used once), and the
// short-lived publish tokens minted from them (hashed). Same on both engines.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('trusted_publishers')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    // '' for a hosted provider's own issuer; an admin-listed issuer URL for `custom`.
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('claims', 'text', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    // Set while the package does not exist yet: the first trusted publish creates it, until then.
    .addColumn('pending_until', 'text')
    .execute();
  await db.schema
    .createTable('trusted_publisher_packages')
    .addColumn('publisher_id', 'text', (c) => c.notNull().references('trusted_publishers.id').onDelete('cascade'))
    .addColumn('package_name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('trusted_publisher_packages_pk', ['publisher_id', 'package_name'])
    .execute();
  await db.schema
    .createIndex('trusted_publisher_packages_by_package')
    .on('trusted_publisher_packages')
    .column('package_name')
    .execute();
  await db.schema
    .createTable('oidc_token_ids')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('jti', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('oidc_token_ids_pk', ['issuer', 'jti'])
    .execute();
  await db.schema
    .createTable('trusted_publish_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey().notNull())
    .addColumn('publisher_id', 'text', (c) => c.notNull().references('trusted_publishers.id').onDelete('cascade'))
    .addColumn('package_name', 'text', (c) => c.notNull())
    .addColumn('identity', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}
