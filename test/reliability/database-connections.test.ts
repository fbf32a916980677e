// A real `gatehouse serve` on PostgreSQL whose connections the database closes under it, as a
// server restart, a failover or an administrator does: the process keeps running and answers
// from fresh connections. (SQLite is a file in the process; it has no connection to lose.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { freshDatabase, POSTGRES_ADMIN_URL, type TestDatabase } from '../support/engines.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { attempt, getPackument, login, putPublish } from './publish-client.js';
import { assertBuilt, createUserByCli, startServer, type ServerProcess } from './server-process.js';

const PASSWORD = 'connections-correct-horse';

/** Ends every session of the registry's database, as pg_terminate_backend does for an operator. */
async function terminateSessions(databaseUrl: string): Promise<number> {
  const database = new URL(databaseUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    const result = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database],
    );
    return result.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe('PostgreSQL connections lost (postgres)', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  beforeAll(async () => {
    assertBuilt();
    db = await freshDatabase('postgres');
    await createUserByCli(db.config, 'ops', PASSWORD);
    server = await startServer(db.config);
  });
  afterAll(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) await server.kill('SIGKILL');
    await db.dispose();
  });

  it('keeps serving after the database ends its idle connections', { timeout: 60_000 }, async () => {
    const token = await login(server.url, 'ops', PASSWORD);
    const first = attempt('survivor', '1.0.0', packageBuilder('survivor', '1.0.0').publishBody(server.url));
    expect((await putPublish(server.url, token, first)).status).toBe(201);

    // Idle pooled connections learn of it only from the FATAL message the server sends them.
    expect(await terminateSessions(db.config.databaseUrl)).toBeGreaterThan(0);
    // Bounded by the test's timeout, and fails at once if the process exits instead.
    await server.waitForOutput('PostgreSQL closed an idle connection');
    expect(server.child.exitCode, server.output()).toBeNull();

    const second = attempt('survivor', '1.1.0', packageBuilder('survivor', '1.1.0').publishBody(server.url));
    expect((await putPublish(server.url, token, second)).status).toBe(201);
    const doc = await getPackument(server.url, 'survivor');
    expect(Object.keys(doc?.versions ?? {}).sort()).toEqual(['1.0.0', '1.1.0']);
    expect(server.output()).toContain('PostgreSQL closed an idle connection');
  });
});
