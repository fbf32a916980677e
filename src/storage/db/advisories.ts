// Kysely implementation of the advisory store (domain/advisories/store.ts). Same SQL on both
// engines. An update keeps the row, and with it npm's numeric id; its package rows are replaced.
import type { Kysely, Selectable } from 'kysely';
import type { AdvisoriesTable, AdvisoryPackagesTable, DB } from './schema.js';
import type { AdvisoryStore, StoredAdvisory } from '../../domain/advisories/store.js';
import type { Advisory } from '../../domain/advisories/osv.js';
import type { Severity } from '../../domain/advisories/severity.js';

/** Bound parameters per statement: far below SQLite's and PostgreSQL's limits. */
const CHUNK = 500;

interface Facts {
  aliases: string[];
  cwe: string[];
  url: string;
  details: string;
  published?: string;
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function advisoryOf(row: Selectable<AdvisoriesTable>, packages: Selectable<AdvisoryPackagesTable>[]): StoredAdvisory {
  const facts = JSON.parse(row.facts) as Facts;
  return {
    number: Number(row.number),
    id: row.osv_id,
    modified: row.modified,
    withdrawn: row.withdrawn ?? undefined,
    published: facts.published,
    aliases: facts.aliases,
    summary: row.summary,
    details: facts.details,
    severity: row.severity as Severity,
    cvss: row.cvss ? (JSON.parse(row.cvss) as StoredAdvisory['cvss']) : undefined,
    cwe: facts.cwe,
    url: facts.url,
    packages: packages.map((p) => ({
      name: p.package_name,
      range: p.vulnerable_range,
      patched: p.patched_range,
      fixed: JSON.parse(p.fixed) as string[],
    })),
  };
}

function rowValues(advisory: Advisory, record: string) {
  const facts: Facts = {
    aliases: advisory.aliases,
    cwe: advisory.cwe,
    url: advisory.url,
    details: advisory.details,
    published: advisory.published,
  };
  return {
    osv_id: advisory.id,
    modified: advisory.modified,
    withdrawn: advisory.withdrawn ?? null,
    summary: advisory.summary,
    severity: advisory.severity,
    cvss: advisory.cvss ? JSON.stringify(advisory.cvss) : null,
    facts: JSON.stringify(facts),
    record,
  };
}

async function live(db: Kysely<DB>, names: string[], prefix?: string) {
  const found: { row: Selectable<AdvisoriesTable>; pkg: Selectable<AdvisoryPackagesTable> }[] = [];
  for (const part of chunks([...new Set(names)])) {
    let query = db
      .selectFrom('advisory_packages')
      .innerJoin('advisories', 'advisories.osv_id', 'advisory_packages.osv_id')
      .selectAll('advisories')
      .select([
        'advisory_packages.package_name',
        'advisory_packages.vulnerable_range',
        'advisory_packages.patched_range',
        'advisory_packages.fixed',
      ])
      .where('advisory_packages.package_name', 'in', part)
      .where('advisories.withdrawn', 'is', null);
    if (prefix !== undefined) query = query.where('advisories.osv_id', 'like', `${prefix}%`);
    for (const r of await query.orderBy('advisories.number').execute()) {
      const { package_name, vulnerable_range, patched_range, fixed, ...row } = r;
      found.push({ row, pkg: { osv_id: row.osv_id, package_name, vulnerable_range, patched_range, fixed } });
    }
  }
  const byId = new Map<string, { row: Selectable<AdvisoriesTable>; packages: Selectable<AdvisoryPackagesTable>[] }>();
  for (const { row, pkg } of found) {
    const entry = byId.get(row.osv_id) ?? { row, packages: [] };
    entry.packages.push(pkg);
    byId.set(row.osv_id, entry);
  }
  return [...byId.values()];
}

export function advisoryStore(db: Kysely<DB>): AdvisoryStore {
  return {
    async modifiedOf(ids) {
      const out = new Map<string, string>();
      for (const part of chunks([...new Set(ids)])) {
        const rows = await db.selectFrom('advisories').select(['osv_id', 'modified']).where('osv_id', 'in', part).execute();
        for (const row of rows) out.set(row.osv_id, row.modified);
      }
      return out;
    },
    async upsertMany(items) {
      for (const part of chunks(items)) {
        const rows = part.map(({ advisory, record }) => rowValues(advisory, record));
        await db
          .insertInto('advisories')
          .values(rows)
          .onConflict((oc) =>
            oc.column('osv_id').doUpdateSet((eb) => ({
              modified: eb.ref('excluded.modified'),
              withdrawn: eb.ref('excluded.withdrawn'),
              summary: eb.ref('excluded.summary'),
              severity: eb.ref('excluded.severity'),
              cvss: eb.ref('excluded.cvss'),
              facts: eb.ref('excluded.facts'),
              record: eb.ref('excluded.record'),
            })),
          )
          .execute();
        const ids = part.map(({ advisory }) => advisory.id);
        await db.deleteFrom('advisory_packages').where('osv_id', 'in', ids).execute();
        const packages = part.flatMap(({ advisory }) =>
          advisory.packages.map((p) => ({
            osv_id: advisory.id,
            package_name: p.name,
            vulnerable_range: p.range,
            patched_range: p.patched,
            fixed: JSON.stringify(p.fixed),
          })),
        );
        for (const rowsPart of chunks(packages)) await db.insertInto('advisory_packages').values(rowsPart).execute();
      }
    },
    async forPackages(names) {
      return (await live(db, names)).map(({ row, packages }) => advisoryOf(row, packages));
    },
    async withPrefix(prefix, name) {
      return (await live(db, [name], prefix)).map(({ row, packages }) => ({ ...advisoryOf(row, packages), record: row.record }));
    },
    async count() {
      const row = await db
        .selectFrom('advisories')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('withdrawn', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
