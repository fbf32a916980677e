// Kysely implementation of the scanning store (domain/scanning/store.ts).
import type { Kysely, Selectable } from 'kysely';
import type { DB, ScanResultsTable } from './schema.js';
import type { ScanRecord, ScanStore } from '../../domain/scanning/store.js';
import type { KnownBadDigest } from '../../domain/scanning/known-bad.js';
import type { Verdict } from '../../domain/scanning/rules.js';

/** Digests looked up per query: far below either engine's bound on parameters. */
const LOOKUP_CHUNK = 500;

function fromRow(r: Selectable<ScanResultsTable>): ScanRecord {
  return {
    packageName: r.package_name,
    version: r.version,
    verdict: r.verdict as Verdict,
    findings: JSON.parse(r.findings) as ScanRecord['findings'],
    capabilities: JSON.parse(r.capabilities) as ScanRecord['capabilities'],
    rulesVersion: r.rules_version,
    tag: r.tag,
    publisher: r.publisher,
    scannedAt: r.scanned_at,
  };
}

export function scanStore(db: Kysely<DB>): ScanStore {
  return {
    async record(result) {
      const inserted = await db
        .insertInto('scan_results')
        .values({
          package_name: result.packageName,
          version: result.version,
          verdict: result.verdict,
          findings: JSON.stringify(result.findings),
          capabilities: JSON.stringify(result.capabilities),
          rules_version: result.rulesVersion,
          tag: result.tag,
          publisher: result.publisher,
          scanned_at: result.scannedAt,
        })
        .onConflict((oc) => oc.columns(['package_name', 'version']).doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async result(name, version) {
      const row = await db
        .selectFrom('scan_results')
        .selectAll()
        .where('package_name', '=', name)
        .where('version', '=', version)
        .executeTakeFirst();
      return row && fromRow(row);
    },
    async results(name) {
      const rows = await db
        .selectFrom('scan_results')
        .selectAll()
        .where('package_name', '=', name)
        .orderBy('scanned_at')
        .orderBy('version')
        .execute();
      return rows.map(fromRow);
    },
    async switches() {
      const rows = await db.selectFrom('scan_rule_switches').selectAll().orderBy('rule_id').execute();
      return rows.map((r) => ({ ruleId: r.rule_id, enabled: r.enabled === 1, changedBy: r.changed_by, changedAt: r.changed_at }));
    },
    async setSwitch(change) {
      const values = { enabled: change.enabled ? 1 : 0, changed_by: change.changedBy, changed_at: change.changedAt };
      await db
        .insertInto('scan_rule_switches')
        .values({ rule_id: change.ruleId, ...values })
        .onConflict((oc) => oc.column('rule_id').doUpdateSet(values))
        .execute();
    },
    async knownBad(digests) {
      const found: { digest: KnownBadDigest; note: string }[] = [];
      const unique = [...new Set(digests)];
      for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
        const rows = await db
          .selectFrom('known_bad_digests')
          .select(['digest', 'note'])
          .where('digest', 'in', unique.slice(i, i + LOOKUP_CHUNK))
          .execute();
        for (const r of rows) found.push({ digest: r.digest as KnownBadDigest, note: r.note });
      }
      return found;
    },
    async addKnownBad(entries, addedAt) {
      let added = 0;
      for (const e of entries) {
        const result = await db
          .insertInto('known_bad_digests')
          .values({ digest: e.digest, note: e.note, added_at: addedAt })
          .onConflict((oc) => oc.column('digest').doNothing())
          .executeTakeFirst();
        added += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
      return added;
    },
  };
}
