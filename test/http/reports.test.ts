// Reports and moderation over real HTTP on both engines: anyone signed in files a report through
// the API; administrators confirm (a malicious version is quarantined: gone from the packument and
// its tarball a 404; a MAL- advisory is published), dismiss or ask for more; the reporter is mailed
// each outcome; a vulnerability report reaches the maintainers only. Every refusal has its code and
// leaves no trace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { moderatorTotp } from '../support/mfa.js';
import { ManualClock } from '../../src/domain/clock.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import * as npm from '../support/npm-protocol.js';
import { readOutbox } from '../domain/mail/outbox-files.js';

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { code?: string };
}

/** One API call over a socket, as the gatehouse CLI makes it. */
export async function call(
  r: TestRegistry,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${r.url}${path}`, {
    method,
    headers: {
      ...extra,
      ...(token && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}

const API = '/-/gatehouse/v1';

for (const engine of ENGINES) {
  describe(`reports and moderation (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let carol: TestUser;
    let admin: TestUser;

    const file = (user: TestUser | undefined, name: string, body: unknown) =>
      call(r, 'POST', `${API}/packages/${npm.escaped(name)}/reports`, user?.token, body);
    let moderator: Awaited<ReturnType<typeof moderatorTotp>>;
    /** A moderation action, with the administrator's one-time password unless told otherwise. */
    const act = (id: unknown, action: string, body: unknown = {}, user = admin, otp = user === admin) =>
      call(r, 'POST', `${API}/admin/reports/${String(id)}/${action}`, user.token, body, otp ? moderator.otp() : {});
    const review = (spec: string, action: 'release' | 'reject', body: unknown = {}) =>
      call(r, 'POST', `${API}/admin/quarantine/${spec}/${action}`, admin.token, body, moderator.otp());
    const seq = () => r.registry.store.events.latestSeq();
    const mailsTo = async (user: TestUser) => {
      await r.registry.mail.deliver();
      return (await readOutbox(r.registry.config.dataDir)).filter((m) => m.to.includes(user.user.email));
    };
    const status = async (path: string) => (await fetch(`${r.url}${path}`)).status;

    beforeAll(async () => {
      // A manual clock, so the moderator's one-time passwords never run out within a test.
      r = await startRegistry(engine, {
        listen: true,
        config: { reportsPerDay: 6 },
        deps: { clock: new ManualClock(Date.now()) },
      });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      carol = await r.createUser('carol');
      admin = await r.createUser('root', { admin: true });
      moderator = await moderatorTotp(r, admin);
      for (const v of ['1.0.0', '1.0.1']) await npm.published(r, alice, packageBuilder('evil-pkg', v));
      for (const v of ['1.0.0', '2.0.0']) await npm.published(r, alice, packageBuilder('@acme/sneaky', v));
      await npm.published(r, alice, packageBuilder('leaky', '1.0.0'));
      await npm.published(r, alice, packageBuilder('spammy', '1.0.0'));
    });
    afterAll(() => r?.close());

    it('refuses bad reports with a code, and records nothing', async () => {
      const readOnly = await r.createUser('reader', { readonly: true });
      const unverified = await r.registry.store.users.insert({
        name: 'fresh',
        email: 'fresh@example.com',
        emailVerified: false,
        passwordHash: 'x',
        isAdmin: false,
        createdAt: new Date().toISOString(),
      });
      const freshToken = await r.registry.store.transaction(
        async (tx) => (await r.registry.tokens.create(tx, unverified!, { reason: 'test' })).secret,
      );
      const before = await seq();
      const cases: [TestUser | undefined, string, unknown, number, string][] = [
        [undefined, 'evil-pkg', { reason: 'malicious', description: 'x' }, 401, 'Unauthenticated'],
        [bob, 'no-such-package', { reason: 'malicious', description: 'steals tokens' }, 404, 'PackageNotFound'],
        [bob, 'evil-pkg', { version: '9.9.9', reason: 'malicious', description: 'steals tokens' }, 404, 'VersionNotFound'],
        [bob, 'evil-pkg', { reason: 'ugly', description: 'steals tokens' }, 400, 'ReportReasonInvalid'],
        [bob, 'evil-pkg', { description: 'steals tokens' }, 400, 'ReportReasonInvalid'],
        [bob, 'evil-pkg', { reason: 'malicious', description: '   ' }, 400, 'ReportTextInvalid'],
        [bob, 'evil-pkg', { reason: 'malicious' }, 400, 'ReportTextInvalid'],
        [bob, 'evil-pkg', { reason: 'malicious', description: 'x'.repeat(10_001) }, 400, 'ReportTextInvalid'],
        [bob, 'evil-pkg', { reason: 'malicious', description: 'a\u0000b' }, 400, 'ReportTextInvalid'],
        [bob, 'evil-pkg', { version: 7, reason: 'malicious', description: 'x' }, 400, 'InvalidVersion'],
        [bob, 'bad name', { reason: 'malicious', description: 'x' }, 400, 'InvalidPackageName'],
        [bob, 'evil-pkg', ['reason', 'malicious'], 400, 'ReportReasonInvalid'],
      ];
      for (const [user, name, body, code, errorCode] of cases) {
        const res = await file(user, name, body);
        expect([res.status, res.body.code], JSON.stringify(body).slice(0, 80)).toEqual([code, errorCode]);
      }
      expect((await file(readOnly, 'evil-pkg', { reason: 'spam', description: 'x' })).body.code).toBe('TokenReadOnly');
      const fresh = await call(r, 'POST', `${API}/packages/evil-pkg/reports`, freshToken, { reason: 'spam', description: 'x' });
      expect([fresh.status, fresh.body.code]).toEqual([403, 'EmailUnverified']);
      expect(await seq()).toBe(before);
      expect((await call(r, 'GET', `${API}/admin/reports`, admin.token)).body).toEqual([]);
    });

    it('keeps the queue and its actions for administrators', async () => {
      expect((await call(r, 'GET', `${API}/admin/reports`)).status).toBe(401);
      const denied = await call(r, 'GET', `${API}/admin/reports?package=evil-pkg`, bob.token);
      expect([denied.status, denied.body.code]).toEqual([403, 'ModeratorsOnly']);
      expect((await act(1, 'confirm', {}, bob)).body.code).toBe('ModeratorsOnly');
      expect((await act('nope', 'dismiss')).body.code).toBe('ReportNotFound');
      expect((await act(424242, 'dismiss')).status).toBe(404);
      expect((await call(r, 'GET', `${API}/admin/reports?state=weird`, admin.token)).status).toBe(400);
    });

    it('asks the moderator for a second factor on every action, and refuses one without', async () => {
      await npm.published(r, alice, packageBuilder('moderated', '1.0.0'));
      const filed = await file(await r.createUser('erin'), 'moderated', { reason: 'spam', description: 'links only' });
      const noCode = await act(filed.body.id, 'dismiss', {}, admin, false);
      expect([noCode.status, noCode.body.code, noCode.headers.get('www-authenticate')]).toEqual([401, 'OtpRequired', 'OTP']);
      const wrong = await call(
        r,
        'POST',
        `${API}/admin/reports/${filed.body.id}/dismiss`,
        admin.token,
        {},
        { 'npm-otp': '000000' },
      );
      expect(wrong.body.code).toBe('OtpInvalid');
      const held = await call(r, 'POST', `${API}/admin/quarantine/moderated/1.0.0/reject`, admin.token, {});
      expect(held.body.code).toBe('OtpRequired');
      const bare = await r.createUser('bare-admin', { admin: true });
      const without = await call(r, 'POST', `${API}/admin/reports/${filed.body.id}/dismiss`, bare.token, {});
      expect([without.status, without.body.code]).toEqual([403, 'ModerationNeedsMfa']);
      expect((await r.registry.store.reports.get(filed.body.id as number))?.state).toBe('open');
      expect((await act(filed.body.id, 'dismiss')).body.state).toBe('dismissed');
    });

    it('confirming a malicious version quarantines it, publishes a MAL- advisory and tells the reporter', async () => {
      const filed = await file(bob, 'evil-pkg', {
        version: '1.0.1',
        reason: 'malicious',
        description: 'postinstall posts ~/.npmrc to 192.0.2.7',
      });
      expect(filed.status).toBe(201);
      expect(filed.body).toMatchObject({
        package: 'evil-pkg',
        version: '1.0.1',
        reason: 'malicious',
        state: 'open',
        reporter: 'bob',
      });
      const queue = await call(r, 'GET', `${API}/admin/reports?package=evil-pkg`, admin.token);
      expect((queue.body as unknown as { id: number }[]).map((q) => q.id)).toEqual([filed.body.id]);
      expect((await call(r, 'GET', `${API}/admin/reports?package=leaky`, admin.token)).body).toEqual([]);

      const confirmed = await act(filed.body.id, 'confirm', { note: 'Exfiltrates npm tokens on install.' });
      expect(confirmed.status).toBe(200);
      const year = new Date().getUTCFullYear();
      expect(confirmed.body).toMatchObject({ state: 'confirmed', advisory: `MAL-${year}-1` });

      const doc = await npm.packument(r, 'evil-pkg');
      expect(Object.keys(doc.versions)).toEqual(['1.0.0']);
      expect(doc['dist-tags'].latest).not.toBe('1.0.1');
      expect(await status('/evil-pkg/-/evil-pkg-1.0.1.tgz')).toBe(404);
      expect(await status('/evil-pkg/-/evil-pkg-1.0.0.tgz')).toBe(200);
      expect(await status('/evil-pkg/1.0.1')).toBe(404);

      const record = await call(r, 'GET', `${API}/osv/MAL-${year}-1.json`);
      expect(record.status).toBe(200);
      expect(record.body).toMatchObject({
        id: `MAL-${year}-1`,
        affected: [{ package: { ecosystem: 'npm', name: 'evil-pkg' }, versions: ['1.0.1'] }],
        details: 'Exfiltrates npm tokens on install.',
      });
      const [mail] = await mailsTo(bob);
      expect(mail?.subject).toContain(`report ${filed.body.id}`);
      expect(mail?.subject).toContain('confirmed');
      expect(mail?.text).toContain(`MAL-${year}-1`);
      // No report text in the mail: it links to the report instead.
      expect(mail?.text).not.toContain('192.0.2.7');
      expect(mail?.text).toContain(`${r.url}/reports/${filed.body.id}`);

      const again = await act(filed.body.id, 'dismiss');
      expect([again.status, again.body.code]).toEqual([409, 'ReportClosed']);
    });

    it('confirming a whole scoped package quarantines every version under one advisory', async () => {
      const filed = await file(carol, '@acme/sneaky', { reason: 'malicious', description: 'every version runs a miner' });
      const confirmed = await act(filed.body.id, 'confirm');
      expect(confirmed.body.state).toBe('confirmed');
      const advisory = String(confirmed.body.advisory);
      expect((await call(r, 'GET', '/@acme%2fsneaky')).status).toBe(404);
      const record = await call(r, 'GET', `${API}/osv/${advisory}.json`);
      expect(record.body).toMatchObject({
        affected: [
          {
            package: { ecosystem: 'npm', name: '@acme/sneaky', purl: 'pkg:npm/%40acme/sneaky' },
            versions: ['1.0.0', '2.0.0'],
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
          },
        ],
      });
      const index = await call(r, 'GET', `${API}/osv/index.json`);
      expect((index.body as unknown as { id: string }[]).map((e) => e.id)).toContain(advisory);
      // Closed for good: a new version would be the same attack again.
      const before = await seq();
      const republished = await r.publish(alice, packageBuilder('@acme/sneaky', '3.0.0'));
      expect([republished.statusCode, republished.json<{ code: string }>().code]).toEqual([403, 'PackageMalicious']);
      expect(await seq()).toBe(before);
      // A version-only advisory leaves the package open.
      expect((await r.publish(alice, packageBuilder('evil-pkg', '1.0.2'))).statusCode).toBe(201);
    });

    it('confirming spam quarantines without an advisory; dismissing changes nothing but the report', async () => {
      const spam = await file(bob, 'spammy', { reason: 'spam', description: 'SEO links only' });
      const confirmed = await act(spam.body.id, 'confirm');
      expect(confirmed.body.advisory).toBeUndefined();
      expect(await status('/spammy')).toBe(404);
      // The one quarantine queue holds it beside the scan's holds, and the one review serves it again.
      const queue = await call(r, 'GET', `${API}/admin/quarantine`, admin.token);
      expect((queue.body as unknown as { objects: object[] }).objects).toContainEqual(
        expect.objectContaining({ package: 'spammy', version: '1.0.0', cause: 'report', ref: `report:${spam.body.id}` }),
      );
      expect((await mailsTo(alice)).map((m) => m.subject)).toContain('[Gatehouse] spammy@1.0.0 is held for review');
      const released = await review('spammy/1.0.0', 'release', { note: 'fixed' });
      expect([released.status, released.body.review]).toEqual([200, 'released']);
      expect(await status('/spammy')).toBe(200);
      expect(await status('/spammy/-/spammy-1.0.0.tgz')).toBe(200);
      expect((await review('spammy/1.0.0', 'reject')).body.code).toBe('VersionNotQuarantined');
      const leaky = await file(bob, 'leaky', { reason: 'typosquatting', description: 'looks like left-pad' });
      const dismissed = await act(leaky.body.id, 'dismiss', { note: 'Not a look-alike of anything here.' });
      expect(dismissed.body.state).toBe('dismissed');
      expect(await status('/leaky')).toBe(200);
      const subjects = (await mailsTo(bob)).map((m) => m.subject);
      expect(subjects.some((s) => s.includes(`report ${leaky.body.id}`) && s.includes('dismissed'))).toBe(true);
    });

    it('asking for information mails the reporter, who answers on the thread; others cannot see it', async () => {
      const filed = await file(carol, 'leaky', { version: '1.0.0', reason: 'malicious', description: 'obfuscated code in lib/' });
      const asked = await act(filed.body.id, 'ask', { question: 'Which file, and what does it send?' });
      expect(asked.body.state).toBe('info-requested');
      expect((await act(filed.body.id, 'ask', { question: '' })).body.code).toBe('ReportTextInvalid');
      const mail = (await mailsTo(carol)).find((m) => m.subject.includes('more information'));
      expect(mail?.text).toContain(`/reports/${filed.body.id}`);
      expect(mail?.text).not.toContain('Which file');

      const thread = await call(r, 'GET', `${API}/reports/${filed.body.id}`, carol.token);
      expect(thread.body).toMatchObject({
        role: 'reporter',
        messages: [{ role: 'admin', kind: 'question', text: 'Which file, and what does it send?' }],
      });
      for (const stranger of [bob, alice]) {
        expect((await call(r, 'GET', `${API}/reports/${filed.body.id}`, stranger.token)).body.code).toBe('ReportNotFound');
        expect((await call(r, 'POST', `${API}/reports/${filed.body.id}/messages`, stranger.token, { text: 'hi' })).status).toBe(
          404,
        );
      }
      const replied = await call(r, 'POST', `${API}/reports/${filed.body.id}/messages`, carol.token, {
        text: 'lib/x.js posts env to 192.0.2.9',
      });
      expect(replied.body.state).toBe('open');
      const mine = await call(r, 'GET', `${API}/reports`, carol.token);
      expect((mine.body as unknown as { id: number }[]).map((m) => m.id)).toContain(filed.body.id);
      expect((await act(filed.body.id, 'dismiss')).body.state).toBe('dismissed');
    });

    it('a vulnerability report reaches the maintainers privately', async () => {
      const filed = await file(carol, 'leaky', { reason: 'vulnerable', description: 'prototype pollution in merge()' });
      const mails = await mailsTo(alice);
      const mail = mails.find((m) => m.subject.includes('vulnerability'));
      expect(mail?.text).toContain(`/reports/${filed.body.id}`);
      expect(mail?.text).not.toContain('prototype pollution');
      const asMaintainer = await call(r, 'GET', `${API}/reports/${filed.body.id}`, alice.token);
      expect(asMaintainer.body).toMatchObject({ role: 'maintainer', description: 'prototype pollution in merge()' });
      expect((await call(r, 'GET', `${API}/reports/${filed.body.id}`, bob.token)).status).toBe(404);
      // The maintainer answers on the thread: the reporter is mailed, no text in the mail.
      const answered = await call(r, 'POST', `${API}/reports/${filed.body.id}/messages`, alice.token, {
        text: 'Fixed in 1.0.1, thanks',
      });
      expect(answered.status).toBe(200);
      const told = (await mailsTo(carol)).find((m) => m.subject.includes(`New message on report ${filed.body.id}`));
      expect(told?.text).toContain('maintainer wrote');
      expect(told?.text).not.toContain('Fixed in 1.0.1');
      const seen = await call(r, 'GET', `${API}/reports/${filed.body.id}`, carol.token);
      expect(seen.body.messages).toEqual([
        expect.objectContaining({ author: 'alice', role: 'maintainer', text: 'Fixed in 1.0.1, thanks' }),
      ]);
      // The administrators were told of the new report, to moderate it.
      expect((await mailsTo(admin)).some((m) => m.subject.includes(`New report ${filed.body.id} (vulnerable)`))).toBe(true);
      // A malicious report is not the maintainers' to read (they may be its author).
      const other = await file(carol, 'leaky', { reason: 'malicious', description: 'x' });
      expect((await call(r, 'GET', `${API}/reports/${other.body.id}`, alice.token)).status).toBe(404);
    });

    it('limits reports per account per day with a 429 and Retry-After', async () => {
      const dave = await r.createUser('dave');
      for (let i = 0; i < 6; i++) expect((await file(dave, 'leaky', { reason: 'spam', description: `n${i}` })).status).toBe(201);
      const before = await seq();
      const refused = await file(dave, 'leaky', { reason: 'spam', description: 'one more' });
      expect([refused.status, refused.body.code]).toEqual([429, 'TooManyReports']);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await seq()).toBe(before);
      expect((await file(bob, 'leaky', { reason: 'spam', description: 'others still can' })).status).toBe(201);
    });
  });
}
