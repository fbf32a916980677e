// What the audit log reads from the event table (the Kysely version is storage/db/audit-log.ts).
// Each query returns committed events after `since`, oldest first, at most `limit`: a cursor a
// client pages with, which later appends never reorder.
import type { RegistryEvent } from '../events/store.js';

export interface AuditLogStore {
  /** Every event recorded against the package. */
  forPackage(name: string, since: number, limit: number): Promise<RegistryEvent[]>;
  /** The org's own events (members, teams, settings, grants) and every event of a package in its scope. */
  forOrg(org: string, since: number, limit: number): Promise<RegistryEvent[]>;
  /** What the account did, and what was done to it (made an owner, added to an org or team). */
  forAccount(user: { id: number; name: string }, since: number, limit: number): Promise<RegistryEvent[]>;
}

/** Events about an org that name it in their payload (`org`); its packages' events name it by scope. */
export const ORG_EVENTS = [
  'org.created',
  'org.member_set',
  'org.member_removed',
  'org.settings_changed',
  'team.created',
  'team.destroyed',
  'team.member_added',
  'team.member_removed',
] as const satisfies readonly RegistryEvent['type'][];

/** Events done to an account by someone else, naming it in their payload (`user`). */
export const ABOUT_USER_EVENTS = [
  'user.created',
  'owner.added',
  'owner.removed',
  'org.member_set',
  'org.member_removed',
  'team.member_added',
  'team.member_removed',
] as const satisfies readonly RegistryEvent['type'][];

/**
 * The org and the account an event concerns, kept beside it (events.org, events.subject_user) so
 * the audit log finds an org's or an account's events through an index: the payload's org for an
 * org event, else its package's scope; the payload's user for an event done to an account.
 */
export function eventSubjects(event: { type: string; packageName?: string | null; data: unknown }): {
  org: string | null;
  subjectUser: string | null;
} {
  const payload = typeof event.data === 'object' && event.data !== null ? (event.data as Record<string, unknown>) : {};
  const name = event.packageName ?? null;
  const scope = name?.startsWith('@') && name.includes('/') ? name.slice(1, name.indexOf('/')) : null;
  const org = (ORG_EVENTS as readonly string[]).includes(event.type) && typeof payload.org === 'string' ? payload.org : scope;
  const user =
    (ABOUT_USER_EVENTS as readonly string[]).includes(event.type) && typeof payload.user === 'string' ? payload.user : null;
  return { org, subjectUser: user };
}
