// Abandoned email domains: an address whose domain has lapsed can be re-registered by anyone,
// who then receives the account's password-reset mail. So the domain of every account's address
// is resolved (a periodic job, and at once before each recovery), and a dead domain disables
// email recovery for the accounts there. The block stays when the domain comes back to life —
// that may be the new registrant — and lifts only when the address changes or is verified again.
// A DNS failure that is not an answer (timeout, SERVFAIL, refused) is "unknown", never "dead".
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';

/** What DNS said about mail for a domain; the adapter (src/adapters/dns/) asks MX, then A/AAAA. */
export type MailLookup =
  /** NXDOMAIN: the name does not exist. */
  | { kind: 'nxdomain' }
  /** MX records; a null MX (RFC 7505, exchange ".") arrives as the host ".". */
  | { kind: 'mx'; hosts: string[]; nameServers: string[] }
  /** No MX, but A or AAAA records: mail goes to the domain itself (RFC 5321 §5.1). */
  | { kind: 'address'; nameServers: string[] }
  /** The name exists but has neither MX nor A/AAAA. */
  | { kind: 'no-mail-host'; nameServers: string[] }
  /** No answer: timeout, SERVFAIL, refused, unreachable server. */
  | { kind: 'failed'; reason: string };

export interface MailDomainResolver {
  lookup(domain: string): Promise<MailLookup>;
}

export type DomainState = 'live' | 'dead' | 'unknown';
export type DomainReason = 'mail-host' | 'nxdomain' | 'no-mail-host' | 'null-mx' | 'parked' | 'no-answer';

export interface DomainVerdict {
  state: DomainState;
  reason: DomainReason;
}

export interface EmailDomainCheck extends DomainVerdict {
  domain: string;
  checkedAt: string;
}

export interface RecoveryBlock {
  domain: string;
  reason: DomainReason;
  blockedAt: string;
}

/** What the storage keeps: the last check of each domain, and each account's recovery block. */
export interface EmailDomainStore {
  /** Inserts or replaces the domain's last check. */
  record(check: EmailDomainCheck): Promise<void>;
  byDomain(domain: string): Promise<EmailDomainCheck | undefined>;
  /** Blocks email recovery for every account whose address is at `domain` and is not blocked yet; returns how many. */
  blockRecovery(domain: string, reason: DomainReason, at: string): Promise<number>;
  /** The account's block, if its current address is still at the blocked domain. */
  recoveryBlock(userId: number): Promise<RecoveryBlock | undefined>;
  liftRecoveryBlock(userId: number): Promise<void>;
  /**
   * Domains of accounts' addresses never checked, last checked before `before`, or last found
   * unknown before `unknownBefore`: never-checked first, then oldest first.
   */
  dueDomains(due: { before: string; unknownBefore: string }, limit: number): Promise<string[]>;
}

/** The domain of an address, lower-case, or undefined when it is no host name DNS could be asked about. */
export function domainOf(email: string): string | undefined {
  const domain = email
    .slice(email.lastIndexOf('@') + 1)
    .toLowerCase()
    .replace(/\.$/, '');
  return /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(domain) ? domain : undefined;
}

/**
 * Parking services' name servers and mail hosts, matched as a host or its parent (`ns1.bodis.com`
 * matches `bodis.com`). A small default (docs/email-domains.md); GATEHOUSE_PARKED_DOMAIN_HOSTS replaces it.
 */
export const DEFAULT_PARKING_HOSTS = [
  'sedoparking.com',
  'parkingcrew.net',
  'bodis.com',
  'above.com',
  'parklogic.com',
  'afternic.com',
  'dan.com',
  'undeveloped.com',
];

/** The policy: which answers make a domain dead. Pure. */
export function verdictOf(lookup: MailLookup, parkingHosts: readonly string[]): DomainVerdict {
  const parked = (host: string) => parkingHosts.some((p) => host === p || host.endsWith(`.${p}`));
  switch (lookup.kind) {
    case 'nxdomain':
      return { state: 'dead', reason: 'nxdomain' };
    case 'failed':
      return { state: 'unknown', reason: 'no-answer' };
    case 'no-mail-host':
      return { state: 'dead', reason: 'no-mail-host' };
    case 'mx':
    case 'address': {
      const hosts = lookup.kind === 'mx' ? lookup.hosts.map(normalHost) : [];
      if ([...hosts, ...lookup.nameServers.map(normalHost)].some(parked)) return { state: 'dead', reason: 'parked' };
      // RFC 7505 §3: a null MX says the domain accepts no mail; other hosts beside it are ignored as malformed.
      if (lookup.kind === 'mx' && hosts.every((h) => h === '')) return { state: 'dead', reason: 'null-mx' };
      return { state: 'live', reason: 'mail-host' };
    }
  }
}

function normalHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

const UNKNOWN_RETRY_MS = 60 * 60 * 1000;

export interface EmailDomainsOptions {
  store: Store;
  resolver: MailDomainResolver;
  clock: Clock;
  parkingHosts: readonly string[];
}

export class EmailDomains {
  constructor(private readonly opts: EmailDomainsOptions) {}

  /** Resolves the domain now and stores the result; a dead result blocks recovery for its accounts. */
  async check(domain: string): Promise<EmailDomainCheck> {
    // An address parseEmail let through but no DNS name (the job finds every account's domain): unknown, asked nothing.
    const lookup: MailLookup =
      domainOf(`@${domain}`) === domain ? await this.opts.resolver.lookup(domain) : { kind: 'failed', reason: 'not a host name' };
    const check = { domain, ...verdictOf(lookup, this.opts.parkingHosts), checkedAt: this.nowIso() };
    await this.opts.store.transaction(async (tx) => {
      await tx.emailDomains.record(check);
      if (check.state === 'dead') await tx.emailDomains.blockRecovery(domain, check.reason, check.checkedAt);
    });
    return check;
  }

  /**
   * For the recovery flow, before every reset mail: true only when the address's domain has a mail
   * host right now. Unknown (DNS did not answer) is false too: no reset mail goes out on a guess.
   */
  async isLive(email: string): Promise<boolean> {
    const domain = domainOf(email);
    return domain !== undefined && (await this.check(domain)).state === 'live';
  }

  /** Whether the account may recover by email, from stored state (no DNS): shown at sign-in. */
  async recoveryDisabled(user: { id: number; email: string }): Promise<RecoveryBlock | undefined> {
    const block = await this.opts.store.emailDomains.recoveryBlock(user.id);
    if (block) return block;
    const domain = domainOf(user.email);
    const last = domain === undefined ? undefined : await this.opts.store.emailDomains.byDomain(domain);
    return last?.state === 'dead' ? { domain: last.domain, reason: last.reason, blockedAt: last.checkedAt } : undefined;
  }

  /** The address was changed or verified again: the owner has shown they receive mail there. */
  async liftBlock(userId: number): Promise<void> {
    await this.opts.store.emailDomains.liftRecoveryBlock(userId);
  }

  /**
   * One run of the periodic job: checks up to `batch` domains not checked since `recheckMs` ago,
   * one at a time (the spacing: never a burst of lookups), oldest first.
   */
  async recheckDue(batch: number, recheckMs: number): Promise<EmailDomainCheck[]> {
    const ago = (ms: number) => new Date(this.opts.clock.now() - ms).toISOString();
    // DNS that did not answer is asked again within the hour, not a week later.
    const due = { before: ago(recheckMs), unknownBefore: ago(Math.min(recheckMs, UNKNOWN_RETRY_MS)) };
    const checks: EmailDomainCheck[] = [];
    for (const domain of await this.opts.store.emailDomains.dueDomains(due, batch)) {
      checks.push(await this.check(domain));
    }
    return checks;
  }

  private nowIso(): string {
    return new Date(this.opts.clock.now()).toISOString();
  }
}
