// Abandoned email domains against a local DNS server on 127.0.0.1, on both engines: which answers
// make a domain dead (NXDOMAIN, no mail host, null MX, parking), that failures which are not
// answers (SERVFAIL, silence) stay unknown, the periodic recheck (batched, stored with the time
// checked, ManualClock), the recovery check, and the block a dead domain leaves on its accounts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { startDnsServer, type DnsServer, type ZoneEntry } from '../support/dns-server.js';
import { ManualClock } from '../../src/domain/clock.js';
import type { User } from '../../src/domain/accounts/store.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const ZONE: Record<string, ZoneEntry> = {
  'live.test': [
    { type: 'MX', preference: 10, exchange: 'mail.live.test' },
    { type: 'NS', host: 'ns1.live.test' },
  ],
  'aonly.test': [{ type: 'A', address: '192.0.2.10' }],
  'v6only.test': [{ type: 'AAAA', address: '2001:db8::25' }],
  'nullmx.test': [{ type: 'MX', preference: 0, exchange: '.' }],
  'parked.test': [
    { type: 'NS', host: 'ns1.sedoparking.com' },
    { type: 'A', address: '192.0.2.20' },
  ],
  'parkedmx.test': [{ type: 'MX', preference: 10, exchange: 'mx.parking.example.test' }],
  'nomail.test': [{ type: 'TXT', text: 'v=spf1 -all' }],
  'broken.test': 'servfail',
  'silent.test': 'silent',
  // gone.test is not in the zone: NXDOMAIN.
};

const EXPECTED: [string, string, string][] = [
  ['live.test', 'live', 'mail-host'],
  ['aonly.test', 'live', 'mail-host'],
  ['v6only.test', 'live', 'mail-host'],
  ['gone.test', 'dead', 'nxdomain'],
  ['nomail.test', 'dead', 'no-mail-host'],
  ['nullmx.test', 'dead', 'null-mx'],
  ['parked.test', 'dead', 'parked'],
  ['parkedmx.test', 'dead', 'parked'],
  ['broken.test', 'unknown', 'no-answer'],
  ['silent.test', 'unknown', 'no-answer'],
];

for (const engine of ENGINES) {
  describe(`abandoned email domains (${engine})`, () => {
    let dns: DnsServer;
    let r: TestRegistry;
    const clock = new ManualClock('2026-06-01T00:00:00Z');

    beforeAll(async () => {
      dns = await startDnsServer(ZONE);
      r = await startRegistry(engine, {
        config: {
          dnsServers: dns.address,
          dnsTimeoutMs: 250,
          parkedDomainHosts: 'sedoparking.com, parking.example.test',
          emailDomainCheckMs: MINUTE,
          emailDomainBatch: 2,
          emailDomainRecheckHours: 24,
          downloadFlushMs: 0,
        },
        deps: { clock },
      });
    });
    afterAll(async () => {
      await r?.close();
      await dns?.close();
    });

    const domains = () => r.registry.emailDomains;
    const stored = (domain: string) => r.registry.store.emailDomains.byDomain(domain);
    const create = (name: string, domain: string): Promise<User> =>
      r.registry.accounts.createUser({
        name,
        email: `${name}@${domain}`,
        password: `${name} has a long passphrase`,
        isAdmin: false,
      });
    const legacyLogin = (name: string) =>
      r.inject({
        method: 'PUT',
        url: `/-/user/org.couchdb.user:${name}`,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ name, password: `${name} has a long passphrase` }),
      });

    it('judges each answer: MX or A/AAAA is live; NXDOMAIN, no mail host, null MX or parking is dead; no answer is unknown', async () => {
      for (const [domain, state, reason] of EXPECTED) {
        const check = await domains().check(domain);
        expect({ domain, state: check.state, reason: check.reason }).toEqual({ domain, state, reason });
        expect(await stored(domain)).toEqual({ domain, state, reason, checkedAt: new Date(clock.now()).toISOString() });
      }
      // MX first; A/AAAA only when there is no MX.
      expect(
        dns.queries
          .filter((q) => q.name === 'live.test')
          .map((q) => q.type)
          .sort(),
      ).toEqual(['MX', 'NS']);
      expect(dns.queries.filter((q) => q.name === 'aonly.test').map((q) => q.type)).toContain('A');
    });

    it('answers the recovery flow at once: only a live domain may get a reset mail', async () => {
      expect(await domains().isLive('someone@live.test')).toBe(true);
      expect(await domains().isLive('someone@AOnly.Test')).toBe(true);
      for (const email of ['someone@gone.test', 'someone@broken.test', 'someone@nullmx.test', 'someone@-bad-.test']) {
        expect(await domains().isLive(email), email).toBe(false);
      }
    });

    it('rechecks accounts’ domains on a schedule, a batch per run, and blocks recovery where the domain is dead', async () => {
      const fresh = ['fresh-live.test', 'fresh-gone.test', 'fresh-broken.test'];
      dns.zone.set('fresh-live.test', [{ type: 'MX', preference: 5, exchange: 'mx.fresh-live.test' }]);
      dns.zone.set('fresh-broken.test', 'servfail');
      const [liv, gon, brk] = [await create('liv', fresh[0]!), await create('gon', fresh[1]!), await create('brk', fresh[2]!)];
      for (const domain of fresh) expect(await stored(domain)).toBeUndefined();

      // Nothing runs before its interval; then two domains per run, never-checked ones first.
      // Other jobs share the clock (the OSV archive every 10 s): only the recheck is asserted.
      const rechecks = async () => (await r.registry.jobs.runDue()).filter((name) => name === 'email-domains.recheck');
      expect(await rechecks()).toEqual([]);
      const checked = new Set<string>();
      for (let run = 0; run < 2; run++) {
        clock.advance(MINUTE);
        expect(await rechecks()).toEqual(['email-domains.recheck']);
        const now = new Date(clock.now()).toISOString();
        const thisRun = (await Promise.all(fresh.map(stored))).filter((c) => c?.checkedAt === now).map((c) => c!.domain);
        expect(thisRun.length).toBeLessThanOrEqual(2);
        thisRun.forEach((d) => checked.add(d));
      }
      expect([...checked].sort()).toEqual([...fresh].sort());
      expect((await stored('fresh-live.test'))?.state).toBe('live');
      expect((await stored('fresh-gone.test'))?.state).toBe('dead');
      expect((await stored('fresh-broken.test'))?.state).toBe('unknown');

      // Dead disables email recovery; unknown never does.
      expect(await domains().recoveryDisabled(gon)).toMatchObject({ domain: 'fresh-gone.test', reason: 'nxdomain' });
      expect(await domains().recoveryDisabled(liv)).toBeUndefined();
      expect(await domains().recoveryDisabled(brk)).toBeUndefined();

      // Checked within the last 24 hours: the next runs ask DNS nothing about these.
      const asked = dns.queries.length;
      clock.advance(MINUTE);
      await r.registry.jobs.runDue();
      const recent = new Set(dns.queries.slice(asked).map((q) => q.name));
      for (const domain of fresh) expect(recent.has(domain)).toBe(false);

      // An unknown answer is asked again within the hour; live and dead ones wait for the recheck.
      const before = dns.queries.length;
      clock.advance(HOUR);
      await r.registry.jobs.runDue();
      const retried = new Set(dns.queries.slice(before).map((q) => q.name));
      expect([...fresh].filter((domain) => retried.has(domain))).toEqual(['fresh-broken.test']);
      expect((await stored('fresh-broken.test'))?.checkedAt).toBe(new Date(clock.now()).toISOString());
    });

    it('tells the user at sign-in, and keeps the block when the domain comes back to life', async () => {
      const gon = (await r.registry.store.users.byName('gon'))!;
      const res = await legacyLogin('gon');
      expect(res.statusCode, res.body).toBe(201);
      expect(res.headers['npm-notice']).toMatch(/recovery/);
      expect(
        (await r.registry.accounts.checkPassword('gon', 'gon has a long passphrase', { clientIp: '127.0.0.1' }))
          .emailRecoveryDisabled,
      ).toBe(true);
      const fine = await legacyLogin('liv');
      expect(fine.statusCode).toBe(201);
      expect(fine.headers['npm-notice']).toBeUndefined();

      // Someone registers the lapsed domain again: it is live, but may not be the account's owner.
      dns.zone.set('fresh-gone.test', [{ type: 'MX', preference: 10, exchange: 'mx.new-owner.test' }]);
      clock.advance(25 * HOUR);
      await r.registry.jobs.runDue();
      expect((await stored('fresh-gone.test'))?.state).toBe('live');
      expect(await domains().recoveryDisabled(gon)).toMatchObject({ domain: 'fresh-gone.test' });

      // The owner shows they receive mail there again (re-verification): the block lifts.
      await domains().liftBlock(gon.id);
      expect(await domains().recoveryDisabled(gon)).toBeUndefined();
    });
  });
}
