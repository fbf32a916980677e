// The audit log: GET /-/gatehouse/v1/audit-log answers NDJSON of every maintainer, owner and admin
// action per package, per org and per account, paged with `since`. Maintainers read their
// packages', org owners and admins their org's, everyone their own; registry admins all. A package
// one cannot read is missing (404), anything else refused is a 403 with its code. No line holds a secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { addDistTag, bearer, changeOwners, deprecate } from '../support/npm-protocol.js';
import { signedInBrowser } from './session-browser.js';

interface Line {
  seq: number;
  type: string;
  actor: { kind: string; userId?: number; name?: string };
  packageName: string | null;
  data: Record<string, unknown>;
}

const lines = (res: LightMyRequestResponse): Line[] =>
  res.body === ''
    ? []
    : res.body
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Line);

for (const engine of ENGINES) {
  describe(`audit log (${engine})`, () => {
    let r: TestRegistry;
    let olive: TestUser;
    let devon: TestUser;
    let stan: TestUser;
    let root: TestUser;
    const secrets: string[] = [];

    const audit = (user: TestUser | undefined, query: string) =>
      r.inject({ method: 'GET', url: `/-/gatehouse/v1/audit-log?${query}`, headers: user ? bearer(user.token) : {} });
    const refusal = (res: LightMyRequestResponse) => [res.statusCode, res.json<{ code: string }>().code];

    beforeAll(async () => {
      r = await startRegistry(engine);
      olive = await r.createUser('olive');
      devon = await r.createUser('devon');
      stan = await r.createUser('stan');
      root = await r.createUser('root', { admin: true });
      secrets.push(...[olive, devon, stan, root].flatMap((u) => [u.token, u.password]));
      // olive owns the org acme (first publisher of its scope), a private and a public package in it, and audit-pad.
      expect((await r.publish(olive, packageBuilder('@acme/secret', '1.0.0'), { access: 'restricted' })).statusCode).toBe(201);
      expect((await r.publish(olive, packageBuilder('@acme/open', '1.0.0'))).statusCode).toBe(201);
      expect((await r.publish(olive, packageBuilder('audit-pad', '1.0.0'))).statusCode).toBe(201);
      expect((await r.publish(olive, packageBuilder('audit-pad', '1.1.0'))).statusCode).toBe(201);
      expect((await addDistTag(r, olive, 'audit-pad', 'stable', '1.0.0')).statusCode).toBeLessThan(300);
      const added = await changeOwners(r, olive, 'audit-pad', (m) => m.push({ name: 'devon', email: 'devon@example.com' }));
      expect(added.statusCode, added.body).toBeLessThan(300);
      const member = await r.inject({
        method: 'PUT',
        url: '/-/org/acme/user',
        headers: bearer(olive.token),
        payload: { user: 'devon', role: 'developer' },
      });
      expect(member.statusCode, member.body).toBe(200);
      // A token made through the API: its secret must never reach the log.
      const made = await r.inject({
        method: 'POST',
        url: '/-/npm/v1/tokens',
        headers: bearer(olive.token),
        payload: { password: olive.password, readonly: false, cidr_whitelist: [] },
      });
      expect(made.statusCode, made.body).toBeLessThan(300);
      secrets.push(made.json<{ token: string }>().token);
    });
    afterAll(() => r.close());

    it("gives a package's maintainers every action on it, oldest first, as NDJSON", async () => {
      const res = await audit(olive, 'package=audit-pad');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
      const log = lines(res);
      expect(log.map((e) => e.type)).toEqual(
        expect.arrayContaining(['package.published', 'package.published', 'dist_tag.set', 'owner.added']),
      );
      expect(log.every((e) => e.packageName === 'audit-pad')).toBe(true);
      expect(log.map((e) => e.seq)).toEqual([...log.map((e) => e.seq)].sort((a, b) => a - b));
      const owner = log.find((e) => e.type === 'owner.added')!;
      expect(owner.actor).toMatchObject({ kind: 'user', name: 'olive' });
      expect(owner.data).toEqual({ user: 'devon' });
      // devon is a maintainer now, and so reads it too; an administrator reads every package's.
      expect((await audit(devon, 'package=audit-pad')).body).toBe(res.body);
      expect((await audit(root, 'package=audit-pad')).body).toBe(res.body);
    });

    it("records an administrator's action in the package's log and in the administrator's own", async () => {
      const res = await deprecate(r, root, 'audit-pad', (doc) => {
        doc.versions['1.1.0']!.deprecated = 'use 1.0.0';
      });
      expect(res.statusCode, res.body).toBeLessThan(300);
      const inPackage = lines(await audit(olive, 'package=audit-pad')).find((e) => e.type === 'version.deprecated');
      expect(inPackage?.actor).toMatchObject({ kind: 'user', name: 'root' });
      const inAccount = lines(await audit(root, 'account=me')).map((e) => `${e.type} ${e.packageName}`);
      expect(inAccount).toContain('version.deprecated audit-pad');
    });

    it('refuses a stranger with NotMaintainer, and answers a private package as missing', async () => {
      expect(refusal(await audit(stan, 'package=audit-pad'))).toEqual([403, 'NotMaintainer']);
      const hidden = await audit(stan, 'package=%40acme%2Fsecret');
      const absent = await audit(stan, 'package=%40acme%2Fnothing');
      expect(refusal(hidden)).toEqual([404, 'PackageNotFound']);
      expect(hidden.body).toBe(absent.body.replaceAll('@acme/nothing', '@acme/secret'));
      expect(refusal(await audit(undefined, 'package=audit-pad'))).toEqual([401, 'Unauthenticated']);
      expect((await audit(olive, 'package=%40acme%2Fsecret')).statusCode).toBe(200);
    });

    it('pages with since= and the next-cursor header until the log is read to its end', async () => {
      const whole = lines(await audit(olive, 'package=audit-pad'));
      const pages: Line[] = [];
      let since = 0;
      for (let i = 0; i < 20; i++) {
        const res = await audit(olive, `package=audit-pad&limit=2&since=${since}`);
        expect(res.statusCode).toBe(200);
        pages.push(...lines(res));
        const next = res.headers['gatehouse-next-since'];
        if (next === undefined) break;
        since = Number(next);
      }
      expect(pages).toEqual(whole);
    });

    it("gives an org's owners its own events and its packages' events; members and strangers get a code", async () => {
      const res = await audit(olive, 'org=acme');
      expect(res.statusCode, res.body).toBe(200);
      const log = lines(res);
      expect(log.map((e) => e.type)).toEqual(expect.arrayContaining(['org.created', 'org.member_set', 'package.published']));
      expect(log.every((e) => e.packageName === null || e.packageName.startsWith('@acme/'))).toBe(true);
      expect(log.some((e) => e.packageName === 'audit-pad')).toBe(false);
      expect(refusal(await audit(devon, 'org=acme'))).toEqual([403, 'NotOrgAdmin']);
      expect(refusal(await audit(stan, 'org=acme'))).toEqual([403, 'NotOrgMember']);
      expect((await audit(root, 'org=acme')).body).toBe(res.body);
      expect(refusal(await audit(olive, 'org=nosuchorg'))).toEqual([404, 'OrgNotFound']);
    });

    it('gives an account what it did and what was done to it; another account only to an administrator', async () => {
      const mine = lines(await audit(devon, 'account=me'));
      // devon did nothing himself but was made an owner and an org member by olive.
      expect(mine.map((e) => e.type)).toEqual(expect.arrayContaining(['owner.added', 'org.member_set']));
      const oliveLog = lines(await audit(olive, 'account=me'));
      expect(oliveLog.map((e) => e.type)).toEqual(expect.arrayContaining(['package.published', 'token.created']));
      expect(oliveLog.every((e) => e.actor.userId === olive.user.id || e.data.user === 'olive')).toBe(true);
      expect(refusal(await audit(stan, 'account=olive'))).toEqual([403, 'AuditLogNotYours']);
      expect(refusal(await audit(stan, 'account=nobody'))).toEqual([403, 'AuditLogNotYours']);
      expect(lines(await audit(root, 'account=olive'))).toEqual(oliveLog);
      expect(refusal(await audit(root, 'account=nobody'))).toEqual([404, 'UserNotFound']);
    });

    it("lets a token limited to some packages read only those packages' logs", async () => {
      const limited = await r.registry.store.transaction(
        async (tx) =>
          (
            await r.registry.tokens.create(tx, olive.user, {
              reason: 'test',
              limits: { name: 'audit-pad only', packages: ['audit-pad'], cidrs: null, bypass2fa: false },
            })
          ).secret,
      );
      secrets.push(limited);
      const as = (query: string) =>
        r.inject({ method: 'GET', url: `/-/gatehouse/v1/audit-log?${query}`, headers: bearer(limited) });
      const own = await as('package=audit-pad');
      expect(own.statusCode, own.body).toBe(200);
      expect(refusal(await as('package=%40acme%2Fopen'))).toEqual([403, 'TokenPackageRefused']);
      expect(refusal(await as('org=acme'))).toEqual([403, 'TokenPackageRefused']);
      expect(refusal(await as('account=me'))).toEqual([403, 'TokenPackageRefused']);
      // A private package the token's user cannot read is missing, not refused for the token's limit.
      const stanLimited = await r.registry.store.transaction(
        async (tx) =>
          (
            await r.registry.tokens.create(tx, stan.user, {
              reason: 'test',
              limits: { name: 'audit-pad only', packages: ['audit-pad'], cidrs: null, bypass2fa: false },
            })
          ).secret,
      );
      secrets.push(stanLimited);
      const hidden = await r.inject({
        method: 'GET',
        url: '/-/gatehouse/v1/audit-log?package=%40acme%2Fsecret',
        headers: bearer(stanLimited),
      });
      expect(refusal(hidden)).toEqual([404, 'PackageNotFound']);
    });

    it('refuses malformed queries with BadRequest and changes nothing', async () => {
      const before = await r.registry.store.events.latestSeq();
      for (const query of [
        '',
        'package=audit-pad&org=acme',
        'package=audit-pad&since=abc',
        'package=audit-pad&limit=0',
        'package=audit-pad&limit=100000',
        'org=acme&org=beta',
        'account=',
      ]) {
        expect(refusal(await audit(olive, query)), query).toEqual([400, 'BadRequest']);
      }
      expect(refusal(await audit(olive, 'package=..%2Fetc'))).toEqual([400, 'InvalidPackageName']);
      expect(await r.registry.store.events.latestSeq()).toBe(before);
    });

    it('never carries a token, a password or a hash of one, in any log', async () => {
      const exports = await Promise.all([
        audit(root, 'account=olive'),
        audit(root, 'account=devon'),
        audit(root, 'org=acme'),
        audit(root, 'package=audit-pad'),
        audit(olive, 'account=me'),
      ]);
      const text = exports.map((e) => e.body).join('');
      expect(text.length).toBeGreaterThan(100);
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/gth_[A-Za-z0-9]{20,}/);
      expect(text).not.toMatch(/\$scrypt|[0-9a-f]{64}/);
    });

    it('lets a signed-in browser download its own log from the account page', async () => {
      const b = await signedInBrowser(r, olive);
      const page = await b.get('/account');
      expect(page.body).toContain('href="/account/audit-log"');
      const res = await b.get('/account/audit-log');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(res.headers['content-disposition']).toContain('audit-log.ndjson');
      const log = lines(res);
      expect(log.map((e) => e.type)).toContain('session.created');
      expect(log.every((e) => e.actor.userId === olive.user.id || e.data.user === 'olive')).toBe(true);
      // Without a session it is the sign-in page, not the log.
      const anonymous = await r.inject({ method: 'GET', url: '/account/audit-log', headers: { accept: 'text/html' } });
      expect(anonymous.statusCode).toBe(303);
    });
  });
}
