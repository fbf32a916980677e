// The first schema. One migration set serves both engines; the only difference is how an
// auto-increment key is spelled, which `serial` hides.
import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const serial = engine === 'postgres' ? sql`serial primary key` : sql`integer primary key autoincrement`;

  await db.schema
    .createTable('users')
    .addColumn('id', sql`${serial}`)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', sql`${serial}`)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('display', 'text', (c) => c.notNull())
    .addColumn('readonly', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('tokens_user').on('tokens').column('user_id').execute();

  await db.schema
    .createTable('packages')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('modified_at', 'text', (c) => c.notNull())
    .addColumn('rev', 'integer', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('keywords', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('unpublished_at', 'text')
    .execute();
  // The home page's recent packages and search's candidate order read newest first.
  await db.schema.createIndex('packages_modified_at').on('packages').column('modified_at').execute();

  await db.schema
    .createTable('package_owners')
    .addColumn('package_name', 'text', (c) => c.notNull().references('packages.name'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addPrimaryKeyConstraint('package_owners_pk', ['package_name', 'user_id'])
    .execute();

  await db.schema
    .createTable('versions')
    .addColumn('package_name', 'text', (c) => c.notNull().references('packages.name'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('manifest', 'text', (c) => c.notNull())
    .addColumn('integrity', 'text', (c) => c.notNull())
    .addColumn('shasum', 'text', (c) => c.notNull())
    .addColumn('blob', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('file_count', 'integer', (c) => c.notNull())
    .addColumn('unpacked_size', 'integer', (c) => c.notNull())
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('publisher_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('deprecated', 'text')
    .addColumn('readme', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('unpublished_at', 'text')
    // The primary key is what makes name@version unrepeatable: a tombstone keeps the row.
    .addPrimaryKeyConstraint('versions_pk', ['package_name', 'version'])
    .execute();

  await db.schema
    .createTable('version_dependencies')
    .addColumn('package_name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('dependency', 'text', (c) => c.notNull())
    .addColumn('range', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('version_dependencies_pk', ['package_name', 'version', 'dependency'])
    .execute();
  await db.schema.createIndex('version_dependencies_dep').on('version_dependencies').column('dependency').execute();

  await db.schema
    .createTable('dist_tags')
    .addColumn('package_name', 'text', (c) => c.notNull().references('packages.name'))
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('dist_tags_pk', ['package_name', 'tag'])
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('seq', sql`${serial}`)
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'integer')
    .addColumn('package_name', 'text')
    .addColumn('version', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_package').on('events').column('package_name').execute();

  await db.schema
    .createTable('web_logins')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('done_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('consumed_at', 'text')
    .execute();
}
