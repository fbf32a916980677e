// SQLite, the embedded default: one file in the data folder, WAL journal so readers never wait
// for a publish, and synchronous=FULL so a committed publish survives a crash.
import Database from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export function sqliteDialect(file: string): SqliteDialect {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // better-sqlite3 builds with a 16 MB page cache; SQLite's own 2 MB default is plenty beside the
  // read cache and the OS's file cache, and keeps 14 MB out of RSS.
  database.pragma('cache_size = -2000');
  return new SqliteDialect({ database });
}
