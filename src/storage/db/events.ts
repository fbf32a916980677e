// Kysely implementation of the append-only event log.
import type { Kysely, Selectable } from 'kysely';
import type { DB, EventsTable } from './schema.js';
import type { EventStore, RegistryEvent } from '../../domain/events/store.js';
import { canonicalJson } from '../../domain/events/encoding.js';
import { actorColumns, actorFrom } from './actors.js';
import { eventSubjects } from '../../domain/audit-log/store.js';

/** A stored row as the event it is. Only append writes these rows, and append only takes a payload of the event's own type. */
export function toEvent(row: Selectable<EventsTable>): RegistryEvent {
  return {
    seq: Number(row.seq),
    type: row.type,
    actor: actorFrom(row.actor_kind, row.actor_id),
    packageName: row.package_name,
    version: row.version,
    data: JSON.parse(row.data) as unknown,
    createdAt: row.created_at,
  } as RegistryEvent;
}

export function eventStore(db: Kysely<DB>): EventStore {
  return {
    async append(event) {
      const actor = actorColumns(event.actor);
      const subjects = eventSubjects(event);
      const row = await db
        .insertInto('events')
        .values({
          type: event.type,
          actor_kind: actor.kind,
          actor_id: actor.id,
          package_name: event.packageName ?? null,
          version: event.version ?? null,
          // Canonical so the stored payload is already the bytes the event encoding uses for `data`.
          data: canonicalJson(event.data),
          created_at: event.createdAt,
          org: subjects.org,
          subject_user: subjects.subjectUser,
        })
        .returning('seq')
        .executeTakeFirstOrThrow();
      return Number(row.seq);
    },
    async since(seq, limit) {
      const rows = await db.selectFrom('events').selectAll().where('seq', '>', seq).orderBy('seq').limit(limit).execute();
      return rows.map(toEvent);
    },
    async latestSeq() {
      const row = await db
        .selectFrom('events')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .executeTakeFirst();
      return Number(row?.seq ?? 0);
    },
  };
}
