// PostgreSQL, for fleets: a connection pool per instance; every instance sees the same rows.
import pg from 'pg';
import { PostgresDialect } from 'kysely';

export function postgresDialect(url: string): PostgresDialect {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  return new PostgresDialect({ pool });
}
