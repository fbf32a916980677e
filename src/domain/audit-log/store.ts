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
