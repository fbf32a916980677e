// Security-key answers over HTTP on both engines, from a software authenticator: a key registered
// through the account page signs in after the password; an answer for another origin, a replayed
// answer, a counter that does not move, an expired challenge, another account's key and malformed
// JSON are each a 4xx with its code, and change nothing (no session, no event, counter unmoved).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { ManualClock } from '../../src/domain/clock.js';
import { CHALLENGE_TTL_MS } from '../../src/domain/webauthn/service.js';
import { challengeOf, type SoftwareAuthenticator } from '../support/software-authenticator.js';
import { browser, csrfOf, signedInBrowser } from './session-browser.js';
import { keyStep, registerKey, softwareKey } from './security-key-steps.js';

const codeOf = (res: LightMyRequestResponse) => /data-code="([A-Za-z]+)"/.exec(res.body)?.[1];

for (const engine of ENGINES) {
  describe(`security keys over HTTP (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let aliceKey: SoftwareAuthenticator;
    let bobKey: SoftwareAuthenticator;
    const clock = new ManualClock('2026-12-01T10:00:00Z');

    const keyStepOf = (user: TestUser) => keyStep(r, user);

    const answer = (webauthn: string) => browser(r).post('/login/key', { webauthn, next: '/account' });

    /** Expects the answer refused with `status` and `code`, with no session started and no event written. */
    async function refused(webauthn: string, status: number, code: string): Promise<void> {
      const before = await r.registry.store.events.latestSeq();
      const counter = (await r.registry.store.webauthn.credential(aliceKey.credentialId))?.counter;
      const res = await answer(webauthn);
      expect(res.statusCode, res.body).toBe(status);
      expect(codeOf(res)).toBe(code);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(await r.registry.store.events.latestSeq()).toBe(before);
      expect((await r.registry.store.webauthn.credential(aliceKey.credentialId))?.counter).toBe(counter);
    }

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      aliceKey = softwareKey(r);
      bobKey = softwareKey(r);
      await registerKey(await signedInBrowser(r, alice), aliceKey);
      await registerKey(await signedInBrowser(r, bob), bobKey);
    });
    afterAll(() => r?.close());

    it('signs in with the password and then the key, once', async () => {
      const challenge = await keyStepOf(alice);
      const signed = aliceKey.assert({ challenge });
      const res = await answer(signed);
      expect(res.statusCode, res.body).toBe(303);
      expect(res.headers.location).toBe('/account');
      expect(res.headers['set-cookie']).toMatch(/^gatehouse_session=./);
      // The same answer again: its challenge was used.
      await refused(signed, 400, 'WebAuthnChallengeInvalid');
    });

    it('refuses an answer signed for another origin, and the challenge still serves this site', async () => {
      const challenge = await keyStepOf(alice);
      await refused(aliceKey.assert({ challenge, origin: 'https://evil.example' }), 400, 'WebAuthnOriginMismatch');
      expect((await answer(aliceKey.assert({ challenge }))).statusCode).toBe(303);
    });

    it('refuses a counter that did not move forward', async () => {
      const used = aliceKey.counter;
      await refused(aliceKey.assert({ challenge: await keyStepOf(alice) }, used), 403, 'WebAuthnCounterReplayed');
      await refused(aliceKey.assert({ challenge: await keyStepOf(alice) }, used - 1), 403, 'WebAuthnCounterReplayed');
    });

    it('refuses an expired challenge', async () => {
      const challenge = await keyStepOf(alice);
      clock.advance(CHALLENGE_TTL_MS + 1000);
      await refused(aliceKey.assert({ challenge }), 400, 'WebAuthnChallengeInvalid');
    });

    it("refuses another account's key on this account's challenge", async () => {
      await refused(bobKey.assert({ challenge: await keyStepOf(alice) }), 403, 'WebAuthnCredentialUnknown');
    });

    it('refuses malformed answers', async () => {
      await refused('{not json', 400, 'WebAuthnMalformed');
      await refused('', 400, 'WebAuthnMalformed');
      await refused(JSON.stringify({ id: 'x', rawId: 'x', type: 'public-key', response: {} }), 400, 'WebAuthnMalformed');
      await refused('x'.repeat(20_000), 400, 'WebAuthnMalformed');
    });

    it('approves npm login only with the key, on a challenge shown to this browser', async () => {
      const signIn = async () => {
        const res = await answer(aliceKey.assert({ challenge: await keyStepOf(alice) }));
        expect(res.statusCode).toBe(303);
        return browser(r, String(res.headers['set-cookie']).split(';')[0]);
      };
      const [laptop, phone] = [await signIn(), await signIn()];
      const started = await r.inject({ method: 'POST', url: '/-/v1/login', payload: {} });
      const path = new URL(started.json<{ loginUrl: string }>().loginUrl).pathname;
      const page = await laptop.get(path);
      expect(page.statusCode).toBe(200);
      const _csrf = csrfOf(page.body);
      const approve = `${path}/approve`;
      const before = await r.registry.store.events.latestSeq();
      const bare = await laptop.post(approve, { _csrf });
      expect([bare.statusCode, codeOf(bare)]).toEqual([403, 'SecurityKeyRequired']);
      // A challenge shown to another browser of the same person does not approve here.
      const elsewhere = challengeOf((await phone.get(path)).body);
      const moved = await laptop.post(approve, { _csrf, webauthn: aliceKey.assert({ challenge: elsewhere }) });
      expect([moved.statusCode, codeOf(moved)]).toEqual([400, 'WebAuthnChallengeInvalid']);
      expect(await r.registry.store.events.latestSeq()).toBe(before);
      const ok = await laptop.post(approve, { _csrf, webauthn: aliceKey.assert({ challenge: challengeOf(page.body) }) });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.body).toContain('the terminal is now signed in as <strong>alice</strong>');
    });

    it('removes a key only with the password, writing webauthn.removed and, for the last factor, mfa.disabled', async () => {
      const res = await answer(bobKey.assert({ challenge: await keyStepOf(bob) }));
      expect(res.statusCode).toBe(303);
      const b = browser(r, String(res.headers['set-cookie']).split(';')[0]);
      const _csrf = await b.csrf();
      const path = `/account/keys/${bobKey.credentialId}/remove`;
      const before = await r.registry.store.events.latestSeq();
      const wrong = await b.post(path, { _csrf, password: 'not-the-password' });
      expect(wrong.statusCode).toBe(401);
      expect(codeOf(wrong)).toBe('BadCredentials');
      expect(await r.registry.store.webauthn.credential(bobKey.credentialId)).toBeDefined();
      expect(await r.registry.store.events.latestSeq()).toBe(before);
      const other = await b.post(`/account/keys/${aliceKey.credentialId}/remove`, { _csrf, password: bob.password });
      expect(codeOf(other)).toBe('WebAuthnCredentialNotFound');
      expect(await r.registry.store.webauthn.credential(aliceKey.credentialId)).toBeDefined();
      const removed = await b.post(path, { _csrf, password: bob.password });
      expect(removed.statusCode).toBe(303);
      expect(await r.registry.store.webauthn.credential(bobKey.credentialId)).toBeUndefined();
      const types = (await r.registry.store.events.since(before, 10)).map((e) => e.type);
      expect(types).toEqual(['webauthn.removed', 'mfa.disabled']);
      // The password alone signs bob in again.
      expect((await browser(r).post('/login', { username: 'bob', password: bob.password })).statusCode).toBe(303);
    });
  });
}
