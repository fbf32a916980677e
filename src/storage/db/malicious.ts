// Kysely implementation of the MAL- advisory store (domain/malicious/store.ts) and the security
// contacts found in tarballs (domain/reports/contact-store.ts).
import type { Kysely, Selectable } from 'kysely';
import type { DB, MaliciousAdvisoriesTable } from './schema.js';
import type { MaliciousAdvisory, MaliciousAdvisoryStore } from '../../domain/malicious/store.js';
import type { SecurityContactStore } from '../../domain/reports/contact-store.js';
import type { SecurityContact } from '../../domain/reports/security-contact.js';

function toAdvisory(r: Selectable<MaliciousAdvisoriesTable>): MaliciousAdvisory {
  return {
    id: r.id,
    packageName: r.package_name,
    versions: JSON.parse(r.versions) as string[],
    allVersions: Number(r.all_versions) === 1,
    summary: r.summary,
    details: r.details,
    publishedAt: r.published_at,
    modifiedAt: r.modified_at,
    reports: JSON.parse(r.reports) as number[],
  };
}

function toRow(a: MaliciousAdvisory): Selectable<MaliciousAdvisoriesTable> {
  return {
    id: a.id,
    package_name: a.packageName,
    versions: JSON.stringify(a.versions),
    all_versions: a.allVersions ? 1 : 0,
    summary: a.summary,
    details: a.details,
    published_at: a.publishedAt,
    modified_at: a.modifiedAt,
    reports: JSON.stringify(a.reports),
  };
}

export function maliciousAdvisoryStore(db: Kysely<DB>): MaliciousAdvisoryStore {
  return {
    async nextNumber(year) {
      // The upsert takes the row's write lock on PostgreSQL, so two transactions get two numbers.
      const row = await db
        .insertInto('malicious_advisory_numbers')
        .values({ year, last: 1 })
        .onConflict((oc) => oc.column('year').doUpdateSet((eb) => ({ last: eb('malicious_advisory_numbers.last', '+', 1) })))
        .returning('last')
        .executeTakeFirstOrThrow();
      return Number(row.last);
    },
    async insert(advisory) {
      await db.insertInto('malicious_advisories').values(toRow(advisory)).execute();
    },
    async update(advisory) {
      const { id, ...rest } = toRow(advisory);
      await db.updateTable('malicious_advisories').set(rest).where('id', '=', id).execute();
    },
    async byId(id) {
      const row = await db.selectFrom('malicious_advisories').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toAdvisory(row);
    },
    async forPackage(name) {
      const row = await db.selectFrom('malicious_advisories').selectAll().where('package_name', '=', name).executeTakeFirst();
      return row && toAdvisory(row);
    },
    async all() {
      const rows = await db.selectFrom('malicious_advisories').selectAll().orderBy('published_at').orderBy('id').execute();
      return rows.map(toAdvisory);
    },
  };
}

export function securityContactStore(db: Kysely<DB>): SecurityContactStore {
  return {
    async get(name, version) {
      const row = await db
        .selectFrom('security_contacts')
        .select('contact')
        .where('package_name', '=', name)
        .where('version', '=', version)
        .executeTakeFirst();
      if (!row) return undefined;
      return { contact: row.contact === null ? null : (JSON.parse(row.contact) as SecurityContact) };
    },
    async keep(name, version, contact) {
      await db
        .insertInto('security_contacts')
        .values({ package_name: name, version, contact: contact === null ? null : JSON.stringify(contact) })
        .onConflict((oc) => oc.columns(['package_name', 'version']).doNothing())
        .execute();
    },
  };
}
