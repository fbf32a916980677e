// Each version's README as the web page shows it, rendered once and kept: rendering untrusted
// markdown is slow on crafted input, so no instance should do it twice for the same version.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Null until the first view renders it; the outcome says whether the HTML is markdown or the
  // plain-text fallback (timeout, failure), so neither is ever retried.
  await db.schema.alterTable('versions').addColumn('readme_html', 'text').execute();
  await db.schema.alterTable('versions').addColumn('readme_outcome', 'text').execute();
}
