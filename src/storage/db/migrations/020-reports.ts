// Reports and moderation (domain/reports), MAL- advisories (domain/malicious) and the security
// contact found in each version's tarball. Same on both engines but for the auto-increment keys.
import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const serial = engine === 'postgres' ? sql`serial primary key` : sql`integer primary key autoincrement`;
  await db.schema
    .createTable('reports')
    .addColumn('id', sql`${serial}`)
    .addColumn('package_name', 'text', (c) => c.notNull())
    // null: the whole package.
    .addColumn('version', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('reporter_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('resolved_by', 'integer', (c) => c.references('users.id'))
    .addColumn('advisory_id', 'text')
    .execute();
  await db.schema.createIndex('reports_by_package').on('reports').columns(['package_name', 'id']).execute();
  await db.schema.createIndex('reports_by_state').on('reports').columns(['state', 'id']).execute();
  // The daily limit counts a reporter's recent reports.
  await db.schema.createIndex('reports_by_reporter').on('reports').columns(['reporter_id', 'created_at']).execute();
  await db.schema
    .createTable('report_messages')
    .addColumn('id', sql`${serial}`)
    .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id'))
    .addColumn('author_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('report_messages_by_report').on('report_messages').columns(['report_id', 'id']).execute();
  await db.schema
    .createTable('malicious_advisories')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('package_name', 'text', (c) => c.notNull().unique())
    .addColumn('versions', 'text', (c) => c.notNull())
    .addColumn('all_versions', 'integer', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('modified_at', 'text', (c) => c.notNull())
    .addColumn('reports', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('malicious_advisory_numbers')
    .addColumn('year', 'integer', (c) => c.primaryKey().notNull())
    .addColumn('last', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('security_contacts')
    .addColumn('package_name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    // JSON of a SecurityContact; null when the tarball names none.
    .addColumn('contact', 'text')
    .addPrimaryKeyConstraint('security_contacts_pk', ['package_name', 'version'])
    .execute();
}
