// Allowed names and held name claims (domain/names/store.ts), on both engines.
import type { Kysely, Selectable } from 'kysely';
import type { AllowedNamesTable, DB } from './schema.js';
import type { AllowedName, NameClaim, NameStore } from '../../domain/names/store.js';

function allowedOf(row: Selectable<AllowedNamesTable>): AllowedName {
  return { name: row.name, userId: row.user_id ?? undefined, note: row.note, createdAt: row.created_at };
}

export function nameStore(db: Kysely<DB>): NameStore {
  const claims = () =>
    db
      .selectFrom('name_claims')
      .innerJoin('users', 'users.id', 'name_claims.user_id')
      .select([
        'name_claims.name',
        'name_claims.user_id',
        'users.name as user_name',
        'name_claims.similar_to',
        'name_claims.technique',
        'name_claims.state',
        'name_claims.created_at',
        'name_claims.decided_at',
      ]);
  const claimOf = (row: Awaited<ReturnType<ReturnType<typeof claims>['executeTakeFirstOrThrow']>>): NameClaim => ({
    name: row.name,
    userId: row.user_id,
    userName: row.user_name,
    similarTo: row.similar_to,
    technique: row.technique,
    state: row.state,
    createdAt: row.created_at,
    decidedAt: row.decided_at ?? undefined,
  });
  return {
    async allowed(name) {
      const row = await db.selectFrom('allowed_names').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? allowedOf(row) : undefined;
    },
    async allowedNames() {
      return (await db.selectFrom('allowed_names').selectAll().orderBy('name').execute()).map(allowedOf);
    },
    async allow(entry) {
      const row = { name: entry.name, user_id: entry.userId ?? null, note: entry.note, created_at: entry.createdAt };
      await db
        .insertInto('allowed_names')
        .values(row)
        .onConflict((oc) => oc.column('name').doUpdateSet({ user_id: row.user_id, note: row.note, created_at: row.created_at }))
        .execute();
    },
    async disallow(name) {
      const result = await db.deleteFrom('allowed_names').where('name', '=', name).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async claim(name, userId) {
      const row = await claims()
        .where('name_claims.name', '=', name)
        .where('name_claims.user_id', '=', userId)
        .executeTakeFirst();
      return row ? claimOf(row) : undefined;
    },
    async claims(state) {
      const rows = await claims()
        .where('name_claims.state', '=', state)
        .orderBy('name_claims.created_at')
        .orderBy('name_claims.name')
        .execute();
      return rows.map(claimOf);
    },
    async addClaim(claim) {
      const result = await db
        .insertInto('name_claims')
        .values({
          name: claim.name,
          user_id: claim.userId,
          similar_to: claim.similarTo,
          technique: claim.technique,
          state: 'pending',
          created_at: claim.createdAt,
          decided_at: null,
        })
        .onConflict((oc) => oc.columns(['name', 'user_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async decide(name, userId, state, at) {
      await db
        .updateTable('name_claims')
        .set({ state, decided_at: at })
        .where('name', '=', name)
        .where('user_id', '=', userId)
        .execute();
    },
  };
}
