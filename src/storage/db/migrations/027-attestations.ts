// Build provenance (domain/provenance): the Sigstore bundles accepted or issued per version
// (`version_attestations`, served at /-/npm/v1/attestations/<name>@<version>), and an owner's
// declaration that the next version comes from another repository or without provenance
// (`provenance_declarations`, one per package, spent by the publish it allows).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('version_attestations')
    .addColumn('package_name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('predicate_type', 'text', (c) => c.notNull())
    .addColumn('bundle', 'text', (c) => c.notNull())
    .addColumn('build', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('version_attestations_pk', ['package_name', 'version', 'predicate_type'])
    .execute();
  await db.schema
    .createTable('provenance_declarations')
    .addColumn('package_name', 'text', (c) => c.primaryKey().notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('repository', 'text')
    .addColumn('declared_by', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
