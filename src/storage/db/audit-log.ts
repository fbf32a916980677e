// Kysely implementation of the audit log's reads over the event table. Each query walks one index
// from `since` in `seq` order (migration 029): events_package_seq, events_org_seq, and for an
// account events_actor_seq plus events_subject_user_seq, merged. `events.org` and
// `events.subject_user` are filled on append (domain/audit-log/store.ts eventSubjects), so no
// query reads a payload or scans the table.
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';
import type { AuditLogStore } from '../../domain/audit-log/store.js';
import { toEvent } from './events.js';

/** The audit log's queries, unexecuted: the store runs them, and a test EXPLAINs them (test/storage/audit-log-index.test.ts). */
export function auditLogQueries(db: Kysely<DB>) {
  const after = (since: number, limit: number) =>
    db.selectFrom('events').selectAll().where('seq', '>', since).orderBy('seq').limit(limit);
  return {
    package: (name: string, since: number, limit: number) => after(since, limit).where('package_name', '=', name),
    org: (org: string, since: number, limit: number) => after(since, limit).where('org', '=', org),
    actor: (userId: number, since: number, limit: number) =>
      after(since, limit).where('actor_kind', '=', 'user').where('actor_id', '=', String(userId)),
    subjectUser: (name: string, since: number, limit: number) => after(since, limit).where('subject_user', '=', name),
  };
}

export function auditLogStore(db: Kysely<DB>): AuditLogStore {
  const q = auditLogQueries(db);
  return {
    async forPackage(name, since, limit) {
      return (await q.package(name, since, limit).execute()).map(toEvent);
    },
    async forOrg(org, since, limit) {
      return (await q.org(org, since, limit).execute()).map(toEvent);
    },
    async forAccount(user, since, limit) {
      // Two index walks rather than one OR, which neither engine reliably answers from one index.
      const [did, doneTo] = await Promise.all([
        q.actor(user.id, since, limit).execute(),
        q.subjectUser(user.name, since, limit).execute(),
      ]);
      const bySeq = new Map([...did, ...doneTo].map((row) => [Number(row.seq), row]));
      return [...bySeq.entries()]
        .sort(([a], [b]) => a - b)
        .slice(0, limit)
        .map(([, row]) => toEvent(row));
    },
  };
}
