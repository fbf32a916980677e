// Vulnerability advisories (domain/advisories): one row per imported OSV record, with npm's numeric
// id (a serial, so it stays when the record is updated), and one row per npm package it affects,
// indexed by name for the audit endpoints and package pages.
import { sql, type Kysely } from 'kysely';
import type { Engine } from '../engine.js';

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  const serial = engine === 'postgres' ? sql`serial primary key` : sql`integer primary key autoincrement`;
  await db.schema
    .createTable('advisories')
    .addColumn('number', sql`${serial}`)
    .addColumn('osv_id', 'text', (c) => c.notNull().unique())
    .addColumn('modified', 'text', (c) => c.notNull())
    // Set for a withdrawn record: kept, so a re-import of an older copy cannot bring it back, never answered.
    .addColumn('withdrawn', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    // JSON {score, vectorString} or null.
    .addColumn('cvss', 'text')
    // JSON: the rest of the parsed advisory (aliases, cwe, url, details, published).
    .addColumn('facts', 'text', (c) => c.notNull())
    // The OSV record as imported, for consumers that need fields the registry does not read.
    .addColumn('record', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('advisory_packages')
    .addColumn('osv_id', 'text', (c) => c.notNull())
    .addColumn('package_name', 'text', (c) => c.notNull())
    .addColumn('vulnerable_range', 'text', (c) => c.notNull())
    .addColumn('patched_range', 'text', (c) => c.notNull())
    // JSON list of fixed versions, lowest first.
    .addColumn('fixed', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('advisory_packages_pk', ['osv_id', 'package_name'])
    .execute();
  await db.schema.createIndex('advisory_packages_by_package').on('advisory_packages').column('package_name').execute();
}
