// The MAL- feed as OSV tooling reads it, on both engines over real HTTP: all.zip opened by an
// independent reader (Info-ZIP's `unzip`, not our zip library), every record checked against the
// OSV 1.6 schema's fields and formats, the per-record files and the index agreeing with it. The
// records are made by the domain function scanners and importers call (confirmMalicious).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { moderatorTotp } from '../support/mfa.js';
import { ManualClock } from '../../src/domain/clock.js';
import { OSV_ARCHIVE_INTERVAL_MS } from '../../src/domain/malicious/service.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import * as npm from '../support/npm-protocol.js';
import { SYSTEM_ACTOR } from '../../src/domain/access/actor.js';

const API = '/-/gatehouse/v1';

// OSV schema 1.6 (https://github.com/ossf/osv-schema, validation/schema.json): the members each
// object may have, and the formats the schema gives.
const TOP = [
  'schema_version',
  'id',
  'modified',
  'published',
  'withdrawn',
  'aliases',
  'upstream',
  'related',
  'summary',
  'details',
  'severity',
  'affected',
  'references',
  'credits',
  'database_specific',
];
const AFFECTED = ['package', 'severity', 'ranges', 'versions', 'ecosystem_specific', 'database_specific'];
const REFERENCE_TYPES = [
  'ADVISORY',
  'ARTICLE',
  'DETECTION',
  'DISCUSSION',
  'REPORT',
  'FIX',
  'INTRODUCED',
  'GIT',
  'PACKAGE',
  'EVIDENCE',
  'WEB',
];
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function checkOsv(record: Record<string, unknown>): void {
  for (const key of Object.keys(record)) expect(TOP, `top-level ${key}`).toContain(key);
  expect(record.schema_version).toBe('1.6.0');
  expect(record.id).toMatch(/^MAL-\d{4}-\d+$/);
  expect(record.modified).toMatch(RFC3339_UTC);
  expect(record.published).toMatch(RFC3339_UTC);
  expect(typeof record.summary).toBe('string');
  expect(typeof record.details).toBe('string');
  const affected = record.affected as Record<string, unknown>[];
  expect(affected.length).toBeGreaterThan(0);
  for (const a of affected) {
    for (const key of Object.keys(a)) expect(AFFECTED, `affected ${key}`).toContain(key);
    const pkg = a.package as Record<string, unknown>;
    expect(Object.keys(pkg).sort()).toEqual(['ecosystem', 'name', 'purl']);
    expect(pkg.ecosystem).toBe('npm');
    expect(pkg.purl).toMatch(/^pkg:npm\//);
    expect((a.versions as unknown[]).every((v) => typeof v === 'string')).toBe(true);
    for (const range of (a.ranges ?? []) as { type: string; events: Record<string, string>[] }[]) {
      expect(['SEMVER', 'ECOSYSTEM', 'GIT']).toContain(range.type);
      expect(range.events.length).toBeGreaterThan(0);
      for (const event of range.events) expect(Object.keys(event)).toHaveLength(1);
    }
  }
  for (const ref of record.references as { type: string; url: string }[]) {
    expect(REFERENCE_TYPES).toContain(ref.type);
    expect(() => new URL(ref.url)).not.toThrow();
  }
}

for (const engine of ENGINES) {
  describe(`OSV feed of malicious packages (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    const clock = new ManualClock(Date.now());
    /** What the job runner does every OSV_ARCHIVE_INTERVAL_MS; resolves with the jobs that ran. */
    const jobRun = async () => {
      clock.advance(OSV_ARCHIVE_INTERVAL_MS);
      return r.registry.jobs.runDue();
    };
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-osv-'));

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true, deps: { clock } });
      alice = await r.createUser('alice');
      await npm.published(r, alice, packageBuilder('stealer', '1.0.0'));
      await npm.published(r, alice, packageBuilder('stealer', '1.1.0'));
      await npm.published(r, alice, packageBuilder('@evil/miner', '0.1.0'));
    });
    afterAll(async () => {
      await r?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const get = (path: string, headers: Record<string, string> = {}) => fetch(`${r.url}${path}`, { headers });

    it('serves an empty feed before anything is confirmed', async () => {
      expect(await (await get(`${API}/osv/index.json`)).json()).toEqual([]);
      // No request builds the archive: before the job's first build it is a 503 to retry.
      const early = await get(`${API}/osv/all.zip`);
      expect([early.status, early.headers.get('retry-after'), ((await early.json()) as { code: string }).code]).toEqual([
        503,
        '2',
        'ArchiveNotReady',
      ]);
      expect(await jobRun()).toContain('osv.archive');
      const zip = await get(`${API}/osv/all.zip`);
      expect(zip.status).toBe(200);
      expect(zip.headers.get('content-type')).toBe('application/zip');
    });

    it('quarantines and publishes through the domain function, numbering MAL- ids per year', async () => {
      const malicious = r.registry.reports.malicious;
      const first = await malicious.confirmMalicious({
        packageName: 'stealer',
        versions: ['1.1.0'],
        details: 'Sends ~/.npmrc to 192.0.2.1 on install.',
        cause: 'scan',
        ref: 'rule:exfiltrate-npmrc',
        actor: SYSTEM_ACTOR,
      });
      expect(first.quarantined).toEqual(['1.1.0']);
      const year = new Date().getUTCFullYear();
      expect(first.advisory.id).toBe(`MAL-${year}-1`);
      const second = await malicious.confirmMalicious({
        packageName: '@evil/miner',
        versions: 'all',
        details: 'A coin miner.',
        cause: 'admin',
        ref: 'operator',
        actor: SYSTEM_ACTOR,
      });
      expect(second.advisory.id).toBe(`MAL-${year}-2`);
      // The same package again extends its advisory instead of numbering a new one.
      const again = await malicious.confirmMalicious({
        packageName: 'stealer',
        versions: ['1.0.0'],
        details: 'Also in 1.0.0.',
        cause: 'scan',
        ref: 'rule:exfiltrate-npmrc',
        actor: SYSTEM_ACTOR,
      });
      expect(again.advisory).toMatchObject({ id: `MAL-${year}-1`, versions: ['1.1.0', '1.0.0'] });
      expect((await get('/stealer')).status).toBe(404);
      const events = await r.registry.store.events.since(0, 1000);
      expect(events.filter((e) => e.type === 'version.quarantined').map((e) => `${e.packageName}@${e.version}`)).toEqual([
        'stealer@1.1.0',
        '@evil/miner@0.1.0',
        'stealer@1.0.0',
      ]);
    });

    it('serves all.zip that an independent zip reader opens, each record valid OSV and equal to its own file', async () => {
      // Until the job runs again, the last built archive (still empty) is served.
      const before = await get(`${API}/osv/all.zip`);
      const emptyEtag = before.headers.get('etag');
      expect(Buffer.from(await before.arrayBuffer()).length).toBeLessThan(100);
      expect(await jobRun()).toContain('osv.archive');
      const res = await get(`${API}/osv/all.zip`);
      expect(res.headers.get('etag')).not.toBe(emptyEtag);
      const etag = res.headers.get('etag')!;
      const file = join(dir, `all-${engine}.zip`);
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      execFileSync('unzip', ['-tq', file]);
      const names = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n').sort();
      const index = (await (await get(`${API}/osv/index.json`)).json()) as { id: string; modified: string }[];
      expect(names).toEqual(index.map((e) => `${e.id}.json`).sort());
      expect(names).toHaveLength(2);
      for (const name of names) {
        const record = JSON.parse(execFileSync('unzip', ['-p', file, name], { encoding: 'utf8' })) as Record<string, unknown>;
        checkOsv(record);
        const own = await get(`${API}/osv/${name}`);
        expect(own.status).toBe(200);
        expect(await own.json()).toEqual(record);
        expect(index.find((e) => `${e.id}.json` === name)?.modified).toBe(record.modified);
      }
      expect((await get(`${API}/osv/all.zip`, { 'if-none-match': etag })).status).toBe(304);
    });

    it('numbers concurrent confirmations apart, and releasing a version serves it again', async () => {
      const names = ['race-a', 'race-b', 'race-c', 'race-d'];
      for (const name of names) await npm.published(r, alice, packageBuilder(name, '1.0.0'));
      const malicious = r.registry.reports.malicious;
      const done = await Promise.all(
        names.map((packageName) =>
          malicious.confirmMalicious({
            packageName,
            versions: 'all',
            details: 'x',
            cause: 'scan',
            ref: 'rule:x',
            actor: SYSTEM_ACTOR,
          }),
        ),
      );
      const year = new Date().getUTCFullYear();
      expect(done.map((d) => d.advisory.id).sort()).toEqual([3, 4, 5, 6].map((n) => `MAL-${year}-${n}`).sort());
      expect((await get('/race-a/-/race-a-1.0.0.tgz')).status).toBe(404);
      // The same review as any quarantined version's (docs/quarantine.md).
      const admin = await r.createUser('root', { admin: true });
      const moderator = await moderatorTotp(r, admin);
      const released = await fetch(`${r.url}/-/gatehouse/v1/admin/quarantine/race-a/1.0.0/release`, {
        method: 'POST',
        headers: { ...npm.bearer(admin.token), ...moderator.otp(), 'content-type': 'application/json' },
        body: '{}',
      });
      expect(released.status).toBe(200);
      expect((await get('/race-a/-/race-a-1.0.0.tgz')).status).toBe(200);
    });

    it('answers 404 with a code for ids it does not have', async () => {
      for (const id of ['MAL-1999-1.json', 'GHSA-xxxx.json', 'MAL-2026-1', '..%2f..%2fetc.json']) {
        const res = await get(`${API}/osv/${id}`);
        expect(res.status, id).toBe(404);
        expect(((await res.json()) as { code: string }).code).toBe('AdvisoryNotFound');
      }
    });
  });
}
