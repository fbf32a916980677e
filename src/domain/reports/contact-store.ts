// Where the security contact found in each version's tarball is kept once it was looked for
// (the Kysely version is storage/db/security-contacts.ts): a tarball never changes, so neither does it.
import type { SecurityContact } from './security-contact.js';

export interface SecurityContactStore {
  /** Undefined: never looked for; `contact: null`: looked for, and the tarball names none. */
  get(packageName: string, version: string): Promise<{ contact: SecurityContact | null } | undefined>;
  /** Keeps what was found; the first one kept wins, so two instances looking at once agree. */
  keep(packageName: string, version: string, contact: SecurityContact | null): Promise<void>;
}
