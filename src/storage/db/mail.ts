// Kysely implementation of the mail outbox: cursor, owed mails with their claims, and keys.
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { DB } from './schema.js';
import type { MailKey, MailState, MailStore } from '../../domain/mail/store.js';

const CURSOR = 'outbox';

/** Unheld at `now`, or held by an instance known to be gone. */
function free(now: string, gone: readonly string[]) {
  return (eb: ExpressionBuilder<DB, 'mail_outbox'>) =>
    eb.or([
      eb('claimed_until', 'is', null),
      eb('claimed_until', '<=', now),
      ...(gone.length > 0 ? [eb('claimed_by', 'in', [...gone])] : []),
    ]);
}

export function mailStore(db: Kysely<DB>): MailStore {
  const row = (mail: MailKey) =>
    db.updateTable('mail_outbox').where('event_seq', '=', mail.eventSeq).where('recipient', '=', mail.recipient);
  return {
    async cursor() {
      const found = await db.selectFrom('mail_cursor').select('seq').where('name', '=', CURSOR).executeTakeFirst();
      return Number(found?.seq ?? 0);
    },
    async advanceCursor(from, to) {
      // Compare-and-set: of two instances reading the same position, one moves it.
      const result = await db
        .updateTable('mail_cursor')
        .set({ seq: to })
        .where('name', '=', CURSOR)
        .where('seq', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async owe(mails, createdAt) {
      if (mails.length === 0) return;
      await db
        .insertInto('mail_outbox')
        .values(
          mails.map((m) => ({
            event_seq: m.eventSeq,
            recipient: m.recipient,
            message_id: m.messageId,
            state: 'pending',
            created_at: createdAt,
          })),
        )
        .onConflict((oc) => oc.columns(['event_seq', 'recipient']).doNothing())
        .execute();
    },
    async holders(now) {
      const rows = await db
        .selectFrom('mail_outbox')
        .select('claimed_by')
        .distinct()
        .where('state', '=', 'pending')
        .where('claimed_until', '>', now)
        .execute();
      return rows.map((r) => r.claimed_by).filter((owner): owner is string => owner !== null);
    },
    async claimable(now, limit, gone) {
      const rows = await db
        .selectFrom('mail_outbox')
        .select(['event_seq', 'recipient', 'message_id', 'attempts'])
        .where('state', '=', 'pending')
        .where(free(now, gone))
        .orderBy('event_seq')
        .orderBy('recipient')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        eventSeq: Number(r.event_seq),
        recipient: r.recipient,
        messageId: r.message_id,
        attempts: Number(r.attempts),
      }));
    },
    async claim(mail, owner, now, until, gone) {
      const result = await row(mail)
        .set({ claimed_by: owner, claimed_until: until })
        .where('state', '=', 'pending')
        .where(free(now, gone))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async markSent(mail, owner, at) {
      await row(mail).set({ state: 'sent', sent_at: at, claimed_until: null }).where('claimed_by', '=', owner).execute();
    },
    async markFailed(mail, owner, retryAt) {
      await row(mail)
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          claimed_until: retryAt,
          ...(retryAt === null ? { state: 'failed' } : {}),
        }))
        .where('claimed_by', '=', owner)
        .execute();
    },
    async state(mail) {
      const found = await db
        .selectFrom('mail_outbox')
        .select('state')
        .where('event_seq', '=', mail.eventSeq)
        .where('recipient', '=', mail.recipient)
        .executeTakeFirst();
      return found?.state as MailState | undefined;
    },
    async key(name, make) {
      await db
        .insertInto('mail_keys')
        .values({ name, secret: make() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const found = await db.selectFrom('mail_keys').select('secret').where('name', '=', name).executeTakeFirstOrThrow();
      return found.secret;
    },
  };
}
