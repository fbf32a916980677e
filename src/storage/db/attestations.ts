// Kysely implementation of the attestation store (domain/provenance/store.ts). Same SQL on both
// engines; bundles and build facts are JSON text.
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';
import type { AttestationStore } from '../../domain/provenance/store.js';
import type { BuildFacts } from '../../domain/provenance/certificate.js';

const buildOf = (text: string | null): BuildFacts | null => (text === null ? null : (JSON.parse(text) as BuildFacts));

export function attestationStore(db: Kysely<DB>): AttestationStore {
  return {
    async insert(r) {
      await db
        .insertInto('version_attestations')
        .values({
          package_name: r.packageName,
          version: r.version,
          predicate_type: r.predicateType,
          bundle: JSON.stringify(r.bundle),
          build: r.build === null ? null : JSON.stringify(r.build),
          created_at: r.createdAt,
        })
        .execute();
    },
    async forVersion(name, version) {
      const rows = await db
        .selectFrom('version_attestations')
        .selectAll()
        .where('package_name', '=', name)
        .where('version', '=', version)
        .orderBy('predicate_type')
        .execute();
      return rows.map((row) => ({
        packageName: row.package_name,
        version: row.version,
        predicateType: row.predicate_type,
        bundle: JSON.parse(row.bundle) as Record<string, unknown>,
        build: buildOf(row.build),
        createdAt: row.created_at,
      }));
    },
    async predicateTypes(name) {
      const rows = await db
        .selectFrom('version_attestations')
        .select(['version', 'predicate_type'])
        .where('package_name', '=', name)
        .orderBy('predicate_type')
        .execute();
      const out = new Map<string, string[]>();
      for (const row of rows) out.set(row.version, [...(out.get(row.version) ?? []), row.predicate_type]);
      return out;
    },
    async builds(name) {
      const rows = await db
        .selectFrom('version_attestations')
        .select(['version', 'predicate_type', 'build'])
        .where('package_name', '=', name)
        .execute();
      return rows.map((row) => ({ version: row.version, predicateType: row.predicate_type, build: buildOf(row.build) }));
    },
    async declare(d) {
      await db.deleteFrom('provenance_declarations').where('package_name', '=', d.packageName).execute();
      await db
        .insertInto('provenance_declarations')
        .values({
          package_name: d.packageName,
          kind: d.kind,
          repository: d.repository,
          declared_by: d.declaredBy,
          created_at: d.createdAt,
        })
        .execute();
    },
    async declaration(name) {
      const row = await db.selectFrom('provenance_declarations').selectAll().where('package_name', '=', name).executeTakeFirst();
      return (
        row && {
          packageName: row.package_name,
          kind: row.kind,
          repository: row.repository,
          declaredBy: Number(row.declared_by),
          createdAt: row.created_at,
        }
      );
    },
    async clearDeclaration(name) {
      await db.deleteFrom('provenance_declarations').where('package_name', '=', name).execute();
    },
  };
}
