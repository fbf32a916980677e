// Who is mailed about an event. An account's own events go to its current address; an address
// change goes to both addresses; a new owner hears of it; the read-only lock after an address
// change goes to the address it changed from (in a takeover, that is the real owner).
// Convention the emitting domains follow: the actor of an account event is the account itself.
import type { Repositories } from '../store.js';
import type { RegistryEvent } from '../events/store.js';
import type { RecipientRole } from './templates.js';
import { reportRecipients } from '../reports/mail.js';

export interface Recipient {
  /** Where the mail goes. */
  address: string;
  /** The account it is about, by name. */
  account: string;
  role: RecipientRole;
}

type Lookup = Pick<Repositories, 'users' | 'events' | 'packages' | 'reports'>;

/** How far back the lock after an address change looks for that change (it is the same transaction). */
const LOOK_BACK = 20;

export async function recipientsOf(event: RegistryEvent, repos: Lookup): Promise<Recipient[]> {
  if (event.type === 'owner.added') {
    const owner = await repos.users.byName(event.data.user);
    return owner ? [{ address: owner.email, account: owner.name, role: 'new-owner' }] : [];
  }
  // The actor is the CI identity; the person to tell is the one who set the pending publisher up.
  if (event.type === 'trusted_publisher.pending_used') {
    const owner = await repos.users.byName(event.data.owner);
    return owner ? [{ address: owner.email, account: owner.name, role: 'account' }] : [];
  }
  const aboutReport = await reportRecipients(event, repos);
  if (aboutReport) return aboutReport;
  // A staged version waits for a maintainer; a declared change of source lets the next publish come
  // from elsewhere: every owner hears of either, whoever (or whatever CI) did it.
  if ((event.type === 'version.staged' || event.type === 'provenance.declared') && event.packageName) {
    const owners = await repos.packages.owners(event.packageName);
    return distinct(owners.map((o) => ({ address: o.email, account: o.name, role: 'maintainer' as const })));
  }
  // The reviewer is the actor; the person to tell is the publisher of a version held at publish
  // (by name, as the hold recorded), else the package's owners.
  if (event.type === 'version.quarantined' || event.type === 'version.released' || event.type === 'version.rejected') {
    const publisher = event.data.publisher ? await repos.users.byName(event.data.publisher) : undefined;
    if (publisher) return [{ address: publisher.email, account: publisher.name, role: 'account' }];
    const owners = event.packageName ? await repos.packages.owners(event.packageName) : [];
    return distinct(owners.map((o) => ({ address: o.email, account: o.name, role: 'maintainer' as const })));
  }
  if (event.actor.kind !== 'user') return [];
  const user = await repos.users.byId(event.actor.userId);
  if (!user) return [];
  const account = user.name;
  switch (event.type) {
    case 'email.verification_requested':
      return [{ address: event.data.email, account, role: 'new-address' }];
    case 'password.reset_requested':
      return [{ address: event.data.email, account, role: 'account' }];
    case 'email.changed':
      return distinct([
        { address: event.data.from, account, role: 'previous-address' },
        { address: event.data.to, account, role: 'new-address' },
      ]);
    case 'account.restricted': {
      const previous = event.data.reason === 'email-change' ? await previousAddress(event, repos) : undefined;
      return [{ address: previous ?? user.email, account, role: previous ? 'previous-address' : 'account' }];
    }
    case 'password.changed':
    case 'mfa.enabled':
    case 'mfa.disabled':
    case 'webauthn.added':
    case 'webauthn.removed':
    case 'webauthn.writes_set':
    case 'recovery_codes.generated':
    case 'recovery_code.used':
    case 'token.created':
    case 'account.locked':
    case 'account.recovered':
    case 'trusted_publisher.added':
    case 'trusted_publisher.removed':
    case 'token.leaked':
      return [{ address: user.email, account, role: 'account' }];
    default:
      return [];
  }
}

/** The address the latest earlier email change by the same account moved away from. */
async function previousAddress(event: RegistryEvent, repos: Lookup): Promise<string | undefined> {
  const before = await repos.events.since(Math.max(0, event.seq - LOOK_BACK), LOOK_BACK);
  const actor = event.actor.kind === 'user' ? event.actor.userId : undefined;
  let found: string | undefined;
  for (const e of before) {
    if (e.seq >= event.seq) break;
    if (e.type === 'email.changed' && e.actor.kind === 'user' && e.actor.userId === actor) found = e.data.from;
  }
  return found;
}

/** Addresses compare without case: one mail per mailbox. */
export function addressKey(address: string): string {
  return address.trim().toLowerCase();
}

function distinct(recipients: Recipient[]): Recipient[] {
  const seen = new Set<string>();
  return recipients.filter((r) => !seen.has(addressKey(r.address)) && seen.add(addressKey(r.address)));
}
