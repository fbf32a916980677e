// PostgreSQL, for fleets: a connection pool per instance; every instance sees the same rows.
// `pg` is loaded when the pool is first needed: a SQLite registry never holds it (a few MB of heap).
import type { Pool } from 'pg';
import { PostgresDialect } from 'kysely';

export function postgresDialect(url: string): PostgresDialect {
  return new PostgresDialect({ pool: () => openPool(url) });
}

async function openPool(url: string): Promise<Pool> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection can be closed under us (a server restart, an administrator, a failover).
  // The pool has already dropped it and opens a fresh one on the next query; without a listener
  // the error would be thrown and end the process. While the pool is closing it is expected.
  pool.on('error', (err) => {
    if (!pool.ending) process.emitWarning(`PostgreSQL closed an idle connection: ${err.message}`, 'GatehouseDatabase');
  });
  // The same can happen to a connection that is checked out but between queries (a transaction
  // waiting on work of ours, a background job's): the pool listens only to idle ones, so the
  // client's own error would end the process. The work on it fails with that error instead, and
  // the pool discards the connection when it is released.
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      if (!pool.ending) process.emitWarning(`PostgreSQL closed a connection in use: ${err.message}`, 'GatehouseDatabase');
    });
  });
  return pool;
}
