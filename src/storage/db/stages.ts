// Kysely implementation of the stage store (domain/staging/store.ts), on SQLite and PostgreSQL.
import type { Kysely, Selectable } from 'kysely';
import type { DB, StagesTable } from './schema.js';
import type { StageRecord, StageStore } from '../../domain/staging/store.js';

function stageFrom(row: Selectable<StagesTable>): StageRecord {
  return {
    id: row.id,
    packageName: row.package_name,
    version: row.version,
    tag: row.tag,
    actorName: row.actor_name,
    actorType: row.actor_type === 'trusted-publisher' ? 'trusted-publisher' : 'user',
    createdAt: row.created_at,
  };
}

export function stageStore(db: Kysely<DB>): StageStore {
  return {
    async insert(stage) {
      await db
        .insertInto('stages')
        .values({
          id: stage.id,
          package_name: stage.packageName,
          version: stage.version,
          tag: stage.tag,
          actor_name: stage.actorName,
          actor_type: stage.actorType,
          created_at: stage.createdAt,
        })
        .execute();
    },
    async get(id) {
      const row = await db.selectFrom('stages').selectAll().where('id', '=', id).executeTakeFirst();
      return row && stageFrom(row);
    },
    async list(packageName) {
      let query = db.selectFrom('stages').selectAll();
      if (packageName !== undefined) query = query.where('package_name', '=', packageName);
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      return rows.map(stageFrom);
    },
    async remove(id) {
      const result = await db.deleteFrom('stages').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async requiresStaging(packageName) {
      const row = await db
        .selectFrom('package_staging')
        .select('required')
        .where('package_name', '=', packageName)
        .executeTakeFirst();
      return row?.required === 1;
    },
    async setRequiresStaging(packageName, required, at) {
      await db
        .insertInto('package_staging')
        .values({ package_name: packageName, required: required ? 1 : 0, updated_at: at })
        .onConflict((oc) => oc.column('package_name').doUpdateSet({ required: required ? 1 : 0, updated_at: at }))
        .execute();
    },
  };
}
