// Download counting on both engines: counts land on the UTC day they happened, a flush adds to
// what is stored and forgets what it wrote, a failed flush keeps its counts, the flush job runs
// on the injected clock, and closing the registry writes what was still in memory.
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ENGINES, freshDatabase, freshStore, type TestStore } from '../support/engines.js';
import { ManualClock } from '../../src/domain/jobs/clock.js';
import { DownloadService } from '../../src/domain/downloads/service.js';
import { openRegistry } from '../../src/registry.js';
import { openDatabase } from '../../src/storage/db/database.js';
import { createDbStore } from '../../src/storage/db/store.js';
import type { Kysely } from 'kysely';
import type { DB } from '../../src/storage/db/schema.js';

function rows(db: Kysely<DB>) {
  return db.selectFrom('download_counts').selectAll().orderBy('day').orderBy('version').execute();
}

for (const engine of ENGINES) {
  describe(`download flushes (${engine})`, () => {
    let opened: TestStore | undefined;
    afterEach(async () => {
      await opened?.dispose();
      opened = undefined;
    });

    async function service() {
      opened = await freshStore(engine);
      const clock = new ManualClock(Date.parse('2026-05-31T23:59:59Z'));
      return { clock, db: opened.db, downloads: new DownloadService({ store: opened.store, clock, counting: true }) };
    }

    it('puts each download on the UTC day it happened and adds to stored counts', async () => {
      const { clock, db, downloads } = await service();
      downloads.served('GET', 'left-pad', 'left-pad-1.0.0.tgz');
      downloads.served('GET', 'left-pad', 'left-pad-1.0.0.tgz');
      downloads.served('HEAD', 'left-pad', 'left-pad-1.0.0.tgz');
      clock.advance(2000);
      downloads.served('GET', 'left-pad', 'left-pad-1.0.0.tgz');
      downloads.served('GET', '@acme/widget', 'widget-2.0.0-beta.1.tgz');
      expect(await downloads.flush()).toBe(3);
      downloads.served('GET', 'left-pad', 'left-pad-1.0.0.tgz');
      expect(await downloads.flush()).toBe(1);
      expect(await downloads.flush()).toBe(0);
      expect((await rows(db)).map((r) => [r.package_name, r.version, r.day, Number(r.count)])).toEqual([
        ['left-pad', '1.0.0', '2026-05-31', 2],
        ['left-pad', '1.0.0', '2026-06-01', 2],
        ['@acme/widget', '2.0.0-beta.1', '2026-06-01', 1],
      ]);
    });

    it('keeps the counts of a flush that failed and writes them on the next one', async () => {
      const { db, downloads } = await service();
      downloads.served('GET', 'left-pad', 'left-pad-1.0.0.tgz');
      await sql`ALTER TABLE download_counts RENAME TO download_counts_away`.execute(db);
      await expect(downloads.flush()).rejects.toThrow();
      // Counted while the database was unavailable: added to what is waiting.
      downloads.served('GET', 'left-pad', 'left-pad-1.0.0.tgz');
      await sql`ALTER TABLE download_counts_away RENAME TO download_counts`.execute(db);
      expect(await downloads.flush()).toBe(1);
      expect((await rows(db)).map((r) => Number(r.count))).toEqual([2]);
    });

    it('writes everything in one transaction: a batch that fails midway leaves no rows', async () => {
      const { db, downloads } = await service();
      for (let i = 0; i < 1200; i++) downloads.served('GET', `p${i}`, `p${i}-1.0.0.tgz`);
      // The last statement fails (a CHECK constraint on PostgreSQL, a trigger on SQLite); the first two succeeded.
      await refuseRowsFor(db, engine, 'p1199');
      await expect(downloads.flush()).rejects.toThrow();
      expect(await rows(db)).toEqual([]);
      await allowAllRows(db, engine);
      expect(await downloads.flush()).toBe(1200);
      expect((await rows(db)).length).toBe(1200);
    });

    it('flushes early once it holds flushAtKeys distinct counts, without waiting for the job', async () => {
      opened = await freshStore(engine);
      const clock = new ManualClock(Date.parse('2026-06-01T12:00:00Z'));
      const downloads = new DownloadService({ store: opened.store, clock, counting: true, flushAtKeys: 3 });
      // Repeats of one tarball are one count: they never fill the limit.
      for (let i = 0; i < 10; i++) downloads.served('GET', 'left-pad', 'left-pad-1.0.0.tgz');
      downloads.served('GET', 'left-pad', 'left-pad-1.1.0.tgz');
      expect(await downloads.flush()).toBe(2);
      expect((await rows(opened.db)).map((r) => [r.version, Number(r.count)])).toEqual([
        ['1.0.0', 10],
        ['1.1.0', 1],
      ]);
      for (const v of ['2.0.0', '2.1.0', '2.2.0']) downloads.served('GET', 'left-pad', `left-pad-${v}.tgz`);
      // The clock never moved and nobody called flush: the third distinct count started one.
      const db = opened.db;
      await expect.poll(async () => (await rows(db)).length, { interval: 5, timeout: 5000 }).toBe(5);
      expect(await downloads.flush()).toBe(0);
    });

    it('counts nothing when counting is off', async () => {
      opened = await freshStore(engine);
      const downloads = new DownloadService({ store: opened.store, clock: new ManualClock(0), counting: false });
      downloads.served('GET', 'left-pad', 'left-pad-1.0.0.tgz');
      expect(await downloads.flush()).toBe(0);
    });
  });

  // Several instances share a PostgreSQL database; a SQLite file belongs to one process. Registered
  // only for PostgreSQL, so CI reports no skipped test for SQLite.
  if (engine === 'postgres')
    describe(`two instances flushing at once (${engine})`, () => {
      it('adds both instances counts for the same rows, losing none', async () => {
        const database = await freshDatabase(engine);
        const [one, two] = [await openDatabase(database.config), await openDatabase(database.config)];
        try {
          const clock = new ManualClock(Date.parse('2026-05-10T10:00:00Z'));
          const services = [one, two].map(
            (d) => new DownloadService({ store: createDbStore(d.db, d.engine), clock, counting: true }),
          );
          // Each instance saw the same packages in a different order.
          for (let i = 0; i < 300; i++) services[0]!.served('GET', `p${i}`, `p${i}-1.0.0.tgz`);
          for (let i = 299; i >= 0; i--) services[1]!.served('GET', `p${i}`, `p${i}-1.0.0.tgz`);
          expect(await Promise.all(services.map((s) => s.flush()))).toEqual([300, 300]);
          const stored = await rows(one.db);
          expect({ rows: stored.length, counts: new Set(stored.map((r) => Number(r.count))) }).toEqual({
            rows: 300,
            counts: new Set([2]),
          });
        } finally {
          await one.db.destroy();
          await two.db.destroy();
          await database.dispose();
        }
      });
    });

  describe(`the registry's flush job (${engine})`, () => {
    it('flushes once downloadFlushMs has passed on its clock, and again on close', async () => {
      const database = await freshDatabase(engine, { downloadFlushMs: 10_000 });
      const clock = new ManualClock(Date.parse('2026-05-10T10:00:00Z'));
      const registry = await openRegistry(database.config, { clock });
      const check = await openDatabase(database.config);
      try {
        registry.downloads.served('GET', 'left-pad', 'left-pad-1.0.0.tgz');
        // Other jobs share the clock (the OSV archive every 10 s): only the flush is asserted.
        const flushes = async () => (await registry.jobs.runDue()).filter((name) => name === 'downloads.flush');
        expect(await flushes()).toEqual([]);
        clock.advance(9_999);
        expect(await flushes()).toEqual([]);
        clock.advance(1);
        expect(await flushes()).toEqual(['downloads.flush']);
        expect((await rows(check.db)).map((r) => Number(r.count))).toEqual([1]);
        registry.downloads.served('GET', 'left-pad', 'left-pad-1.0.0.tgz');
        await registry.close();
        expect((await rows(check.db)).map((r) => Number(r.count))).toEqual([2]);
      } finally {
        await check.db.destroy();
        await database.dispose();
      }
    });
  });
}

async function refuseRowsFor(db: Kysely<DB>, engine: string, name: string): Promise<void> {
  if (engine === 'sqlite') {
    await sql
      .raw(
        `CREATE TRIGGER refuse BEFORE INSERT ON download_counts WHEN NEW.package_name = '${name}' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
      )
      .execute(db);
  } else {
    await sql.raw(`ALTER TABLE download_counts ADD CONSTRAINT refuse CHECK (package_name <> '${name}')`).execute(db);
  }
}

async function allowAllRows(db: Kysely<DB>, engine: string): Promise<void> {
  if (engine === 'sqlite') await sql`DROP TRIGGER refuse`.execute(db);
  else await sql`ALTER TABLE download_counts DROP CONSTRAINT refuse`.execute(db);
}
