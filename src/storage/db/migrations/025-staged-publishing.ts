// Staged publishing (docs/staged-publishing.md). A staged version is a row in `versions` with
// state `staged` (it holds its number from the start); `stages` adds what npm's stage commands
// show and approval needs: the stage id npm addresses it by, the dist-tag fixed at stage time and
// who staged it. `package_staging` says which packages take new versions only through a stage.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stages')
    // A random UUID: npm checks the shape before it sends one (npm/lib/utils/validate-uuid.js).
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('package_name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    // What `npm stage view` prints as "staged by": a user's name or a trusted publisher's description.
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('stages_version', ['package_name', 'version'])
    .execute();
  await db.schema
    .createTable('package_staging')
    .addColumn('package_name', 'text', (c) => c.primaryKey().notNull())
    .addColumn('required', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
