// Both database engines for every storage and domain test: `for (const engine of ENGINES)`.
// Each call gives a fresh database: a new SQLite folder, or a new PostgreSQL database that is
// dropped afterwards. PostgreSQL must be running (see README); a missing server fails the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Kysely } from 'kysely';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase } from '../../src/storage/db/database.js';
import { createDbStore } from '../../src/storage/db/store.js';
import type { DB } from '../../src/storage/db/schema.js';
import type { Store } from '../../src/domain/store.js';

const ALL_ENGINES = ['sqlite', 'postgres'] as const;
export type TestEngine = (typeof ALL_ENGINES)[number];

/**
 * The engines this run covers: both, unless GATEHOUSE_TEST_ENGINES (comma-separated) narrows a local
 * run. CI=true ignores it, so CI always runs both; an unknown name is refused, not silently dropped.
 */
export const ENGINES: readonly TestEngine[] = selectEngines(process.env);

export function selectEngines(env: NodeJS.ProcessEnv): readonly TestEngine[] {
  const wanted = env.GATEHOUSE_TEST_ENGINES?.trim();
  if (env.CI === 'true' || wanted === undefined || wanted === '') return ALL_ENGINES;
  const names = wanted.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(ALL_ENGINES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `GATEHOUSE_TEST_ENGINES names ${unknown.join(', ')}; use a comma-separated list of ${ALL_ENGINES.join(', ')}`,
    );
  }
  return ALL_ENGINES.filter((engine) => names.includes(engine));
}

export const POSTGRES_ADMIN_URL = process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  config: Config;
  dispose(): Promise<void>;
}

export async function freshDatabase(engine: TestEngine, overrides: Partial<Config> = {}): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), `gatehouse-${engine}-`));
  const base = { dataDir, logLevel: 'silent', eventPollMs: 0, port: 0, ...overrides };
  if (engine === 'sqlite') {
    return {
      config: loadConfig({ env: {}, overrides: base }),
      dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const database = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${database}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return {
    config: loadConfig({ env: {}, overrides: { ...base, databaseUrl: url.toString() } }),
    dispose: async () => {
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestStore {
  store: Store;
  db: Kysely<DB>;
  /** Closes the store, then drops the database. */
  dispose(): Promise<void>;
}

/** A Store on a fresh database of this engine, migrated, as the registry opens it. */
export async function freshStore(engine: TestEngine): Promise<TestStore> {
  const database = await freshDatabase(engine);
  const opened = await openDatabase(database.config);
  const store = createDbStore(opened.db, opened.engine);
  return {
    store,
    db: opened.db,
    async dispose() {
      await store.close();
      await database.dispose();
    },
  };
}
