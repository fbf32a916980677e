// The audit log: every maintainer, owner and admin action recorded in the event table, per package,
// per org and per account, in pages a client follows with a `since` cursor (the last seq it got).
// It reads only; events never hold a secret (events/store.ts), and the entries add nothing but
// the acting user's name.
import type { Store } from '../store.js';
import type { RequestContext } from '../access/context.js';
import type { Actor } from '../access/actor.js';
import type { RegistryEvent } from '../events/store.js';
import { enforce } from '../access/principal.js';
import { fail } from '../errors.js';
import { readFacts } from '../orgs/readers.js';
import { canRead } from '../packages/authorize.js';
import type { PackageName } from '../packages/names.js';
import { auditReader, canReadAuditLog, type AuditFacts, type AuditReader } from './authorize.js';

export const DEFAULT_PAGE = 1000;
export const MAX_PAGE = 5000;
const ORG_NAME = /^[a-z0-9][a-z0-9._-]{0,213}$/;

export type AuditSubject =
  | { kind: 'package'; name: PackageName }
  | { kind: 'org'; org: string }
  /** `me`: the asker's own account; any other name: an administrator's look at that account. */
  | { kind: 'account'; name: string };

/** One line of the export: the event, its actor named when it is a user. */
export interface AuditEntry {
  seq: number;
  type: RegistryEvent['type'];
  actor: Actor & { name?: string };
  packageName: string | null;
  version: string | null;
  data: unknown;
  createdAt: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** The cursor for the next page when this one was full; absent when the log is read to its end. */
  next?: number;
}

export class AuditLog {
  constructor(private readonly store: Store) {}

  async page(context: RequestContext, subject: AuditSubject, since: number, limit: number): Promise<AuditPage> {
    const reader = enforce(auditReader(context.principal));
    const facts = await this.facts(reader, subject);
    enforce(canReadAuditLog(reader, facts));
    const events = await this.events(facts, since, limit);
    const entries = await this.named(events);
    return events.length === limit ? { entries, next: events[events.length - 1]!.seq } : { entries };
  }

  private events(facts: AuditFacts, since: number, limit: number): Promise<RegistryEvent[]> {
    const { auditLog } = this.store;
    switch (facts.kind) {
      case 'package':
        return auditLog.forPackage(facts.name, since, limit);
      case 'org':
        return auditLog.forOrg(facts.org, since, limit);
      case 'account':
        // The decision allowed it, so the account was looked up (the asker's own, or an administrator's look).
        if (!facts.account)
          fail('AuditLogNotYours', "Only the account itself or a registry administrator may read an account's audit log.");
        return auditLog.forAccount(facts.account, since, limit);
    }
  }

  private async facts(reader: AuditReader, subject: AuditSubject): Promise<AuditFacts> {
    const asker = reader.user;
    switch (subject.kind) {
      case 'package': {
        const pkg = await this.store.packages.get(subject.name);
        if (!pkg) fail('PackageNotFound', `Package "${subject.name}" was not found.`);
        const owners = await this.store.packages.owners(subject.name);
        // A removed package's name stays with its owners (docs/unpublish-policy.md), and so does its log.
        if (asker.isAdmin || owners.some((o) => o.id === asker.id))
          return { kind: 'package', name: subject.name, readable: true, maintainer: true };
        const readable = !pkg.unpublishedAt && canRead(reader, await readFacts(this.store, subject.name, pkg.visibility)).ok;
        // Members of a team granted read-write publish as maintainers do (packages/authorize.ts).
        const grants = readable ? await this.store.orgs.grantees(subject.name) : [];
        const maintainer = grants.some((g) => g.user.id === asker.id && g.permission === 'read-write');
        return { kind: 'package', name: subject.name, readable, maintainer };
      }
      case 'org': {
        const org = subject.org.replace(/^@/, '').toLowerCase();
        if (!ORG_NAME.test(org) || !(await this.store.orgs.org(org)))
          fail('OrgNotFound', `There is no org named "${org.slice(0, 100)}".`);
        return { kind: 'org', org, role: await this.store.orgs.role(org, asker.id) };
      }
      case 'account': {
        if (subject.name === 'me') return { kind: 'account', account: asker };
        // Only an administrator learns whether another account exists; anyone else is refused unseen.
        if (!asker.isAdmin) return { kind: 'account', account: undefined };
        const account = await this.store.users.byName(subject.name.toLowerCase());
        if (!account) fail('UserNotFound', `There is no user named "${subject.name.slice(0, 100)}".`);
        return { kind: 'account', account };
      }
    }
  }

  /** Each user actor with their current name, looked up once per page. */
  private async named(events: RegistryEvent[]): Promise<AuditEntry[]> {
    const ids = [...new Set(events.flatMap((e) => (e.actor.kind === 'user' ? [e.actor.userId] : [])))];
    const users = await Promise.all(ids.map((id) => this.store.users.byId(id)));
    const names = new Map(users.flatMap((u) => (u ? [[u.id, u.name] as const] : [])));
    return events.map((e) => ({
      seq: e.seq,
      type: e.type,
      actor: e.actor.kind === 'user' ? { ...e.actor, name: names.get(e.actor.userId) } : e.actor,
      packageName: e.packageName,
      version: e.version,
      data: e.data,
      createdAt: e.createdAt,
    }));
  }
}

/** The `since` and `limit` query values: whole numbers, a limit capped at MAX_PAGE. */
export function pageQuery(rawSince: unknown, rawLimit: unknown): { since: number; limit: number } {
  const whole = (raw: unknown, what: string, fallback: number): number => {
    if (raw === undefined || raw === '') return fallback;
    if (typeof raw !== 'string' || !/^[0-9]{1,15}$/.test(raw)) fail('BadRequest', `${what} must be a whole number.`);
    return Number(raw);
  };
  const since = whole(rawSince, 'since', 0);
  const limit = whole(rawLimit, 'limit', DEFAULT_PAGE);
  if (limit < 1 || limit > MAX_PAGE) fail('BadRequest', `limit is between 1 and ${MAX_PAGE}.`);
  return { since, limit };
}
