// Writes approved with a security key, over HTTP on both engines, as stock npm's `otplease` and a
// person in a browser do it: an account whose first factor is a key gets npm's one-time-password
// 401 with `authUrl` and `doneUrl` on every write; the signed-in owner approves on the page with
// the key; the poll (with the account's token) hands out a code once; the write resent with it as
// `npm-otp` goes through, and the code is spent. Refusals change nothing: another account's page
// or poll, an expired approval, a reused code, a key answer for another origin, a typed
// six-digit code. The account page's switch turns the guard off (with the password) and on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import * as npm from '../support/npm-protocol.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { ManualClock } from '../../src/domain/clock.js';
import { WRITE_APPROVAL_TTL_MS } from '../../src/domain/webauthn/write-approvals.js';
import { challengeOf, type SoftwareAuthenticator } from '../support/software-authenticator.js';
import { csrfOf, signedInBrowser, type TestBrowser } from './session-browser.js';
import { approvalLinks, approveWrite, pollApproval, registerKey, softwareKey } from './security-key-steps.js';

const codeOf = (res: LightMyRequestResponse) => [res.statusCode, res.json<{ code?: string }>().code];

for (const engine of ENGINES) {
  describe(`writes approved with a security key (${engine})`, () => {
    const clock = new ManualClock('2026-12-01T10:00:00Z');
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let aliceKey: SoftwareAuthenticator;
    let aliceBrowser: TestBrowser;
    let bobBrowser: TestBrowser;
    let version = 0;

    /** npm publish of a new version of alice's package, with `npm-otp` when given. */
    function publish(otp?: string, v = `1.0.${version}`) {
      return r.inject({
        method: 'PUT',
        url: '/key-pkg',
        headers: { ...npm.bearer(alice.token), ...(otp ? { 'npm-otp': otp } : {}) },
        payload: packageBuilder('key-pkg', v).file('index.js', `// ${v}\n`).publishBody(r.url),
      });
    }

    async function versions(): Promise<string[]> {
      const res = await r.inject({ method: 'GET', url: '/key-pkg' });
      return res.statusCode === 200 ? Object.keys(res.json<npm.Packument>().versions) : [];
    }

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      aliceBrowser = await signedInBrowser(r, alice);
      bobBrowser = await signedInBrowser(r, bob);
      aliceKey = softwareKey(r);
      await registerKey(aliceBrowser, aliceKey);
    });
    afterAll(() => r?.close());

    it('says on the account page that the first key guards writes, and mails nothing more than key added', async () => {
      const page = await aliceBrowser.get('/account');
      expect(page.body).toContain('each waits for approval with your key in the browser');
      expect(page.body).toMatch(/Second factor: <span class="mfa">required at sign-in and for publishing and other changes/);
      const events = await r.registry.store.events.since(0, 100);
      const enabled = events.filter((e) => e.type === 'mfa.enabled');
      expect(enabled.map((e) => e.data)).toEqual([expect.objectContaining({ method: 'webauthn', level: 'auth-and-writes' })]);
    });

    it('refuses a write with npm’s OTP 401 and the approval links, writing nothing', async () => {
      const before = await r.registry.store.events.latestSeq();
      const refused = await publish();
      const { page, done } = approvalLinks(refused);
      expect(page).toMatch(/^\/approve\/[A-Za-z0-9_-]{32}$/);
      expect(done).toMatch(/^\/-\/gatehouse\/v1\/approvals\/[A-Za-z0-9_-]{43}$/);
      expect(refused.json<{ error: string }>().error).toContain('approve it with your security key');
      expect(await versions()).toEqual([]);
      expect(await r.registry.store.events.latestSeq()).toBe(before);
      // Nobody approved yet: npm's poll waits.
      const waiting = await pollApproval(r, done, alice.token);
      expect(waiting.statusCode).toBe(202);
      expect(waiting.headers['retry-after']).toBe('1');
    });

    it('publishes once the key approved it on the page, and the code works once', async () => {
      const code = await approveWrite(r, aliceBrowser, aliceKey, await publish(), alice);
      expect(code).toMatch(/^gwa_[A-Za-z0-9_-]{43}$/);
      expect((await publish(code)).statusCode).toBe(201);
      expect(await versions()).toEqual(['1.0.0']);
      const log = await r.registry.store.events.since(0, 100);
      expect(log.filter((e) => e.type === 'write.approved').map((e) => e.data)).toEqual([
        expect.objectContaining({ action: 'publish' }),
      ]);
      // The same code for the next version: spent.
      version += 1;
      expect(codeOf(await publish(code))).toEqual([401, 'OtpInvalid']);
      expect(await versions()).toEqual(['1.0.0']);
    });

    it('shows the page only to its own account, and asks a signed-out browser to sign in', async () => {
      const { page, done } = approvalLinks(await publish());
      const stranger = await bobBrowser.get(page);
      expect(stranger.statusCode).toBe(403);
      expect(stranger.body).toContain('another account');
      const signedOut = await r.inject({ method: 'GET', url: page, headers: { accept: 'text/html' } });
      expect(signedOut.statusCode).toBe(303);
      expect(signedOut.headers.location).toBe(`/login?next=${encodeURIComponent(page)}`);
      // Bob's token polling alice's done address learns nothing.
      expect(codeOf(await pollApproval(r, done, bob.token))).toEqual([404, 'WriteApprovalNotFound']);
    });

    it('refuses a key answer signed for another origin, leaving the write unapproved', async () => {
      const { page, done } = approvalLinks(await publish());
      const shown = await aliceBrowser.get(page);
      const answer = aliceKey.assert({ challenge: challengeOf(shown.body), origin: 'https://evil.example' });
      const res = await aliceBrowser.post(page, { _csrf: csrfOf(shown.body), webauthn: answer });
      expect(res.statusCode).toBe(400);
      expect((await pollApproval(r, done, alice.token)).statusCode).toBe(202);
    });

    it('lets an approval expire: its page and its poll are gone', async () => {
      const { page, done } = approvalLinks(await publish());
      clock.advance(WRITE_APPROVAL_TTL_MS + 1000);
      expect((await aliceBrowser.get(page)).statusCode).toBe(404);
      expect(codeOf(await pollApproval(r, done, alice.token))).toEqual([404, 'WriteApprovalNotFound']);
    });

    it('tells a user who typed a six-digit code that the key approves writes here', async () => {
      const refused = await publish('123456');
      approvalLinks(refused);
      expect(refused.json<{ error: string }>().error).toContain('not a one-time password');
    });

    it('guards dist-tag changes and npm token create the same way', async () => {
      const tag = await npm.addDistTag(r, alice, 'key-pkg', 'beta', '1.0.0');
      const tagCode = await approveWrite(r, aliceBrowser, aliceKey, tag, alice);
      const tagged = await r.inject({
        method: 'PUT',
        url: '/-/package/key-pkg/dist-tags/beta',
        headers: { ...npm.bearer(alice.token), 'content-type': 'application/json', 'npm-otp': tagCode },
        payload: JSON.stringify('1.0.0'),
      });
      expect(tagged.statusCode, tagged.body).toBe(200);
      const create = (otp?: string) =>
        r.inject({
          method: 'POST',
          url: '/-/npm/v1/tokens',
          headers: { ...npm.bearer(alice.token), 'content-type': 'application/json', ...(otp ? { 'npm-otp': otp } : {}) },
          payload: JSON.stringify({ password: alice.password, name: 'ci' }),
        });
      const tokenCode = await approveWrite(r, aliceBrowser, aliceKey, await create(), alice);
      const created = await create(tokenCode);
      expect(created.statusCode, created.body).toBe(200);
      expect(created.json<{ token: string }>().token).toMatch(/^gth_/);
    });

    it('turns the guard off only with the password, and on again', async () => {
      const page = await aliceBrowser.get('/account');
      const wrong = await aliceBrowser.post('/account/keys/writes', { _csrf: csrfOf(page.body), on: '0', password: 'not it' });
      expect(wrong.statusCode).toBe(401);
      expect(codeOf(await publish())).toEqual([401, 'OtpRequired']);
      const off = await aliceBrowser.post('/account/keys/writes', {
        _csrf: csrfOf(page.body),
        on: '0',
        password: alice.password,
      });
      expect(off.statusCode).toBe(303);
      expect((await aliceBrowser.get('/account')).body).toContain('not guarded by your key');
      version += 1;
      expect((await publish()).statusCode).toBe(201);
      const on = await aliceBrowser.post('/account/keys/writes', { _csrf: csrfOf(page.body), on: '1' });
      expect(on.statusCode).toBe(303);
      version += 1;
      expect(codeOf(await publish())).toEqual([401, 'OtpRequired']);
      const mailed = (await r.registry.store.events.since(0, 200)).filter((e) => e.type === 'webauthn.writes_set');
      expect(mailed.map((e) => (e.data as { guardWrites: boolean }).guardWrites)).toEqual([false, true]);
    });
  });
}
