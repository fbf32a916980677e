// Granular tokens (domain/tokens/limits.ts): a name, the packages and scopes a token is limited to
// and its CIDR ranges (JSON arrays; null: no limit), whether it publishes without a second factor,
// and when and from where it was last used (written at most once a minute per token). Tokens from
// before keep working as they did: no limits, no bypass, never used.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tokens')
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.alterTable('tokens').addColumn('packages', 'text').execute();
  await db.schema.alterTable('tokens').addColumn('cidrs', 'text').execute();
  await db.schema
    .alterTable('tokens')
    .addColumn('bypass_2fa', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('tokens').addColumn('last_used_at', 'text').execute();
  await db.schema.alterTable('tokens').addColumn('last_used_ip', 'text').execute();
}
