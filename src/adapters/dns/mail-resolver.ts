// Asks DNS where mail for a domain goes, for the abandoned-domain check: MX first, then A and
// AAAA when there is no MX (RFC 5321 §5.1's implicit MX), and NS to spot parking services.
// Uses node's c-ares resolver, with the configured servers (`host:port` list) or the system's.
// Only an answer (NXDOMAIN, records, no records) is reported as one; every other failure is
// `failed`, which the domain treats as unknown, never as dead.
import { Resolver } from 'node:dns/promises';
import type { MailDomainResolver, MailLookup } from '../../domain/accounts/email-domains.js';

export interface DnsMailResolverOptions {
  /** `host:port` (or `[v6]:port`) entries; empty uses the system resolver's servers. */
  servers: readonly string[];
  /** Per-query timeout in ms; each query is tried twice. */
  timeoutMs: number;
}

/** c-ares codes that are answers: the name does not exist, or it has no record of that type. */
const NXDOMAIN = 'ENOTFOUND';
const NO_RECORDS = 'ENODATA';

type Answer<T> = { records: T[] } | { code: string };

export class DnsMailResolver implements MailDomainResolver {
  private readonly resolver: Resolver;

  constructor(opts: DnsMailResolverOptions) {
    this.resolver = new Resolver({ timeout: opts.timeoutMs, tries: 2 });
    if (opts.servers.length > 0) this.resolver.setServers([...opts.servers]);
  }

  async lookup(domain: string): Promise<MailLookup> {
    const [mx, ns] = await Promise.all([
      this.ask(() => this.resolver.resolveMx(domain)),
      this.ask(() => this.resolver.resolveNs(domain)),
    ]);
    // A failed NS question proves nothing either way: parking is then judged on the MX hosts alone.
    const nameServers = 'records' in ns ? ns.records : [];
    if ('records' in mx && mx.records.length > 0) {
      return { kind: 'mx', hosts: mx.records.map((r) => r.exchange), nameServers };
    }
    const noMx = this.outcome(mx);
    if (noMx) return noMx;
    for (const query of [() => this.resolver.resolve4(domain), () => this.resolver.resolve6(domain)]) {
      const answer = await this.ask(query);
      if ('records' in answer && answer.records.length > 0) return { kind: 'address', nameServers };
      const outcome = this.outcome(answer);
      if (outcome) return outcome;
    }
    return { kind: 'no-mail-host', nameServers };
  }

  /** NXDOMAIN or a failure ends the lookup; "no records of this type" (or none returned) goes on. */
  private outcome(answer: Answer<unknown>): MailLookup | undefined {
    if ('records' in answer || answer.code === NO_RECORDS) return undefined;
    if (answer.code === NXDOMAIN) return { kind: 'nxdomain' };
    return { kind: 'failed', reason: answer.code };
  }

  private async ask<T>(query: () => Promise<T[]>): Promise<Answer<T>> {
    try {
      return { records: await query() };
    } catch (err) {
      return { code: (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN' };
    }
  }
}
