// Kysely implementation of the email-domain repository: domain checks and recovery blocks.
// An account's domain is the part of its address after the '@' (parseEmail allows only one),
// lower-cased; domains reach here already lower-case and made only of [a-z0-9.-] (domainOf).
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from './schema.js';
import type { Engine } from './engine.js';
import type { DomainReason, DomainState, EmailDomainStore } from '../../domain/accounts/email-domains.js';

export function emailDomainStore(db: Kysely<DB>, engine: Engine): EmailDomainStore {
  const domainOfEmail: RawBuilder<string> =
    engine === 'postgres' ? sql`lower(split_part(email, '@', 2))` : sql`lower(substr(email, instr(email, '@') + 1))`;
  return {
    async record(check) {
      const values = { state: check.state, reason: check.reason, checked_at: check.checkedAt };
      await db
        .insertInto('email_domain_checks')
        .values({ domain: check.domain, ...values })
        .onConflict((oc) => oc.column('domain').doUpdateSet(values))
        .execute();
    },
    async byDomain(domain) {
      const row = await db.selectFrom('email_domain_checks').selectAll().where('domain', '=', domain).executeTakeFirst();
      return (
        row && {
          domain: row.domain,
          state: row.state as DomainState,
          reason: row.reason as DomainReason,
          checkedAt: row.checked_at,
        }
      );
    },
    async blockRecovery(domain, reason, at) {
      const result = await db
        .insertInto('email_recovery_blocks')
        .columns(['user_id', 'domain', 'reason', 'blocked_at'])
        .expression(
          db
            .selectFrom('users')
            .select((eb) => ['id', eb.val(domain).as('domain'), eb.val(reason).as('reason'), eb.val(at).as('blocked_at')])
            .where(sql<boolean>`${domainOfEmail} = ${domain}`),
        )
        .onConflict((oc) => oc.column('user_id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0);
    },
    async recoveryBlock(userId) {
      const row = await db
        .selectFrom('email_recovery_blocks as b')
        .innerJoin('users', 'users.id', 'b.user_id')
        .select(['b.domain', 'b.reason', 'b.blocked_at'])
        .where('b.user_id', '=', userId)
        .where(sql<boolean>`${domainOfEmail} = b.domain`)
        .executeTakeFirst();
      return row && { domain: row.domain, reason: row.reason as DomainReason, blockedAt: row.blocked_at };
    },
    async liftRecoveryBlock(userId) {
      await db.deleteFrom('email_recovery_blocks').where('user_id', '=', userId).execute();
    },
    async dueDomains(due, limit) {
      const rows = await db
        .selectFrom(db.selectFrom('users').select(domainOfEmail.as('domain')).distinct().as('d'))
        .leftJoin('email_domain_checks as c', 'c.domain', 'd.domain')
        .select('d.domain')
        .where((eb) =>
          eb.or([
            eb('c.checked_at', 'is', null),
            eb('c.checked_at', '<', due.before),
            eb.and([eb('c.state', '=', 'unknown'), eb('c.checked_at', '<', due.unknownBefore)]),
          ]),
        )
        .orderBy(sql`coalesce(c.checked_at, '')`)
        .orderBy('d.domain')
        .limit(limit)
        .execute();
      return rows.map((row) => row.domain);
    },
  };
}
