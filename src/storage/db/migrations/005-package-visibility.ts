// Who may read each package: 'public' for every package that exists (the default backfills them),
// until the authorization track adds private packages. See Visibility in domain/packages/store.ts.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Adding a column with a default fills it in on existing rows on both engines.
  await db.schema
    .alterTable('packages')
    .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('public'))
    .execute();
}
