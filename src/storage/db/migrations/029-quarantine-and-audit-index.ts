// One quarantine model (domain/quarantine, docs/quarantine.md): every quarantined version, held by
// the malware scan at publish or quarantined later by a confirmed report, has one row in
// `quarantines` with its cause and its review; the scan's own review columns move there. And the
// audit log's columns: `events.org` (the org an event concerns: its payload's org, or its
// package's scope) and `events.subject_user` (the account an event was done to), each indexed
// with `seq`, so `/-/gatehouse/v1/audit-log` pages through an index instead of scanning the table.
import { sql, type Kysely } from 'kysely';
// The same rule append applies: event types added later never occur in the rows backfilled here.
import { eventSubjects } from '../../../domain/audit-log/store.js';

const BACKFILL_CHUNK = 1000;

type Untyped = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export async function up(db: Kysely<unknown>): Promise<void> {
  const k = db as Untyped;
  await quarantines(k);
  await auditColumns(k);
}

async function quarantines(db: Untyped): Promise<void> {
  await db.schema
    .createTable('quarantines')
    .addColumn('package_name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('tag', 'text')
    .addColumn('publisher', 'text', (c) => c.notNull())
    .addColumn('held_at', 'text', (c) => c.notNull())
    .addColumn('review', 'text', (c) => c.notNull())
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', 'text')
    .addColumn('review_note', 'text')
    .addPrimaryKeyConstraint('quarantines_pk', ['package_name', 'version'])
    .execute();
  await db.schema.createIndex('quarantines_review').on('quarantines').columns(['review', 'held_at']).execute();
  // The scan's reviews, as they stood.
  await db
    .insertInto('quarantines')
    .columns([
      'package_name',
      'version',
      'cause',
      'ref',
      'tag',
      'publisher',
      'held_at',
      'review',
      'reviewed_by',
      'reviewed_at',
      'review_note',
    ])
    .expression(
      db
        .selectFrom('scan_results')
        .select([
          'package_name',
          'version',
          sql.lit('scan').as('cause'),
          sql.lit('scan').as('ref'),
          'tag',
          'publisher',
          'scanned_at',
          'review',
          'reviewed_by',
          'reviewed_at',
          'review_note',
        ])
        .where('review', '!=', 'none'),
    )
    .execute();
  // Versions a confirmed report quarantined had no review row: they wait for one now.
  await db
    .insertInto('quarantines')
    .columns(['package_name', 'version', 'cause', 'ref', 'tag', 'publisher', 'held_at', 'review'])
    .expression(
      db
        .selectFrom('versions as v')
        .select([
          'v.package_name',
          'v.version',
          sql.lit('report').as('cause'),
          sql.lit('').as('ref'),
          sql.lit(null).as('tag'),
          sql.lit('').as('publisher'),
          'v.published_at',
          sql.lit('pending').as('review'),
        ])
        .where('v.state', '=', 'quarantined')
        .where('v.unpublished_at', 'is', null)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('quarantines as q')
                .select('q.version')
                .whereRef('q.package_name', '=', 'v.package_name')
                .whereRef('q.version', '=', 'v.version'),
            ),
          ),
        ),
    )
    .execute();
  await db.schema.dropIndex('scan_results_review').execute();
  for (const column of ['review', 'reviewed_by', 'reviewed_at', 'review_note'])
    await db.schema.alterTable('scan_results').dropColumn(column).execute();
}

async function auditColumns(db: Untyped): Promise<void> {
  await db.schema.alterTable('events').addColumn('org', 'text').execute();
  await db.schema.alterTable('events').addColumn('subject_user', 'text').execute();
  let after = 0;
  for (;;) {
    const rows: { seq: number; type: string; package_name: string | null; data: string }[] = await db
      .selectFrom('events')
      .select(['seq', 'type', 'package_name', 'data'])
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(BACKFILL_CHUNK)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const subjects = eventSubjects({ type: row.type, packageName: row.package_name, data: JSON.parse(row.data) as unknown });
      if (subjects.org !== null || subjects.subjectUser !== null)
        await db
          .updateTable('events')
          .set({ org: subjects.org, subject_user: subjects.subjectUser })
          .where('seq', '=', row.seq)
          .execute();
    }
    after = Number(rows[rows.length - 1]!.seq);
  }
  await db.schema.createIndex('events_package_seq').on('events').columns(['package_name', 'seq']).execute();
  await db.schema.createIndex('events_org_seq').on('events').columns(['org', 'seq']).execute();
  await db.schema.createIndex('events_subject_user_seq').on('events').columns(['subject_user', 'seq']).execute();
  await db.schema.createIndex('events_actor_seq').on('events').columns(['actor_kind', 'actor_id', 'seq']).execute();
  // Their prefixes of the new ones.
  await db.schema.dropIndex('events_package').execute();
  await db.schema.dropIndex('events_actor').execute();
}
