// Kysely implementation of the audit log's reads over the event table. Payload matches rely on
// the canonical JSON every payload is stored as (events/encoding.ts: sorted keys, no spaces), so
// `"org":"acme"` appears exactly when the payload's org is acme: a quote inside a value is escaped.
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';
import { ABOUT_USER_EVENTS, ORG_EVENTS, type AuditLogStore } from '../../domain/audit-log/store.js';
import { toEvent } from './events.js';

/** `text` as a LIKE pattern that matches only itself (with `escape '\'`). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The payload holds `"key":<value as JSON>`. */
function member(key: string, value: string) {
  return sql<boolean>`data like ${`%${JSON.stringify(key)}:${likeLiteral(JSON.stringify(value))}%`} escape '\\'`;
}

export function auditLogStore(db: Kysely<DB>): AuditLogStore {
  const after = (since: number) => db.selectFrom('events').selectAll().where('seq', '>', since);
  return {
    async forPackage(name, since, limit) {
      const rows = await after(since).where('package_name', '=', name).orderBy('seq').limit(limit).execute();
      return rows.map(toEvent);
    },
    async forOrg(org, since, limit) {
      const scope = `${likeLiteral(`@${org}/`)}%`;
      const rows = await after(since)
        .where((eb) =>
          eb.or([
            eb.and([eb('type', 'in', [...ORG_EVENTS]), member('org', org)]),
            sql<boolean>`package_name like ${scope} escape '\\'`,
          ]),
        )
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toEvent);
    },
    async forAccount(user, since, limit) {
      const rows = await after(since)
        .where((eb) =>
          eb.or([
            eb.and([eb('actor_kind', '=', 'user'), eb('actor_id', '=', String(user.id))]),
            eb.and([eb('type', 'in', [...ABOUT_USER_EVENTS]), member('user', user.name)]),
          ]),
        )
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toEvent);
    },
  };
}
