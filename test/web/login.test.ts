// npm's web login over HTTP on both engines, as the CLI (POST /-/v1/login, polling doneUrl) and
// a person on the sign-in page (form posts) drive it: the page says when and from where the login
// was started; signing in alone approves nothing, an explicit Approve does; a browser already
// signed in approves without a password; a second approval on the same link is refused and the
// CLI still gets the first account; malformed and oversized form fields get 400; nothing carrying
// a token may be cached; one address can hold only a few unfinished logins.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { browser, cookieOf, csrfOf, signedInBrowser, type TestBrowser } from '../http/session-browser.js';

const NPM_AGENT = 'npm/11.6.0 node/v20.19.0 linux x64 workspaces/false';
const CLI_ADDRESS = '192.0.2.44';

interface Started {
  id: string;
  loginUrl: string;
  donePath: string;
  res: LightMyRequestResponse;
}

for (const engine of ENGINES) {
  describe(`web login over HTTP (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let mallory: TestUser;
    let nextAddress = 1;

    beforeAll(async () => {
      r = await startRegistry(engine, { config: { pendingWebLoginsPerIp: 3 } });
      alice = await r.createUser('alice');
      mallory = await r.createUser('mallory');
    });
    afterAll(() => r?.close());

    /** What npm-profile's loginWeb sends, from `address` (a fresh one per call unless given). */
    async function start(address = `198.51.100.${nextAddress++}`): Promise<Started> {
      const res = await r.inject({
        method: 'POST',
        url: '/-/v1/login',
        headers: { 'content-type': 'application/json', 'user-agent': NPM_AGENT },
        remoteAddress: address,
        payload: '{}',
      });
      const body = res.statusCode === 200 ? res.json<{ loginUrl: string; doneUrl: string }>() : undefined;
      const loginUrl = body?.loginUrl ?? '';
      return { id: loginUrl.split('/').pop() ?? '', loginUrl, donePath: new URL(body?.doneUrl ?? 'http://x/').pathname, res };
    }

    const page = (id: string) => r.inject({ method: 'GET', url: `/login/cli/${id}`, headers: { accept: 'text/html' } });
    const signIn = (id: string, form: string) =>
      r.inject({
        method: 'POST',
        url: `/login/cli/${id}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        payload: form,
      });
    const formFor = (user: TestUser) =>
      `username=${encodeURIComponent(user.user.name)}&password=${encodeURIComponent(user.password)}`;
    const poll = (path: string) => r.inject({ method: 'GET', url: path });
    /** Signs in on the login's page; the browser then holds a web session and sees the Approve form. */
    async function signInOnPage(id: string, user: TestUser): Promise<TestBrowser> {
      const res = await signIn(id, formFor(user));
      expect(res.statusCode, res.body).toBe(303);
      expect(res.headers.location).toBe(`/login/cli/${id}`);
      return browser(r, cookieOf(res));
    }
    /** Presses Approve on the login's page, as `b` sees it. */
    async function approve(id: string, b: TestBrowser) {
      const shown = await b.get(`/login/cli/${id}`);
      return b.post(`/login/cli/${id}/approve`, { _csrf: csrfOf(shown.body) });
    }
    const latestSeq = () => r.registry.store.events.latestSeq();

    it('shows on the sign-in page when and from which address and client the login was started', async () => {
      const login = await start(CLI_ADDRESS);
      const res = await page(login.id);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(CLI_ADDRESS);
      expect(res.body).toContain(NPM_AGENT);
      const at = /<time datetime="([^"]+)"/.exec(res.body)?.[1];
      expect(Math.abs(Date.parse(at ?? '') - Date.now())).toBeLessThan(60 * 60 * 1000);
    });

    it('escapes a hostile User-Agent on the sign-in page', async () => {
      const res = await r.inject({
        method: 'POST',
        url: '/-/v1/login',
        headers: { 'content-type': 'application/json', 'user-agent': '<script>alert(1)</script>' },
        remoteAddress: '203.0.113.9',
        payload: '{}',
      });
      const id = res.json<{ loginUrl: string }>().loginUrl.split('/').pop()!;
      const shown = await page(id);
      expect(shown.body).not.toContain('<script>alert(1)');
      expect(shown.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    });

    it('approves nothing at sign-in: the page then shows who asked and waits for Approve', async () => {
      const login = await start(CLI_ADDRESS);
      const b = await signInOnPage(login.id, alice);
      expect((await poll(login.donePath)).statusCode).toBe(202);
      const shown = await b.get(`/login/cli/${login.id}`);
      expect(shown.statusCode).toBe(200);
      expect(shown.body).toContain('You are signed in as <strong>alice</strong>');
      expect(shown.body).toContain(CLI_ADDRESS);
      expect(shown.body).toContain(NPM_AGENT);
      expect(shown.body).toContain(`<form method="post" action="/login/cli/${login.id}/approve"`);
      expect(shown.body).not.toContain('name="password"');
      expect((await approve(login.id, b)).body).toContain('the terminal is now signed in as <strong>alice</strong>');
      expect((await poll(login.donePath)).statusCode).toBe(200);
    });

    it('reuses a web session the browser already has: no password, still an Approve', async () => {
      const b = await signedInBrowser(r, alice);
      const login = await start();
      const shown = await b.get(`/login/cli/${login.id}`);
      expect(shown.body).not.toContain('name="password"');
      expect(shown.body).toContain('<button type="submit">Approve</button>');
      expect((await poll(login.donePath)).statusCode).toBe(202);
      expect((await approve(login.id, b)).statusCode).toBe(200);
      expect((await poll(login.donePath)).statusCode).toBe(200);
    });

    it('refuses an approval from a visitor who is not signed in', async () => {
      const login = await start();
      const res = await browser(r).post(`/login/cli/${login.id}/approve`, {});
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain('name="password"');
      expect((await poll(login.donePath)).statusCode).toBe(202);
    });

    it('approves a login once: a second approval gets a refusal page, and the CLI receives the first account', async () => {
      const login = await start();
      const a = await signInOnPage(login.id, alice);
      const m = await signInOnPage(login.id, mallory);
      const mallorysPage = await m.get(`/login/cli/${login.id}`);
      expect((await approve(login.id, a)).body).toContain('signed in as <strong>alice</strong>');
      const before = await latestSeq();
      const second = await m.post(`/login/cli/${login.id}/approve`, { _csrf: csrfOf(mallorysPage.body) });
      expect(second.statusCode).toBe(409);
      expect(second.body).not.toContain('signed in as <strong>mallory');
      expect(second.body).not.toContain('<form method="post" action="/login/cli');
      expect(await latestSeq()).toBe(before);
      // The page refuses too, instead of offering the form again.
      expect((await page(login.id)).statusCode).toBe(409);
      const done = await poll(login.donePath);
      expect(done.statusCode).toBe(200);
      const whoami = await r.inject({
        method: 'GET',
        url: '/-/whoami',
        headers: { authorization: `Bearer ${done.json<{ token: string }>().token}` },
      });
      expect(whoami.json()).toEqual({ username: 'alice' });
    });

    it('answers 400 to repeated or missing form fields, and approves nothing', async () => {
      const login = await start();
      const before = await latestSeq();
      for (const form of [
        `username=alice&username=mallory&password=${encodeURIComponent(alice.password)}`,
        `username=alice&password=${encodeURIComponent(alice.password)}&password=x`,
        'username=alice',
        '',
      ]) {
        const res = await signIn(login.id, form);
        expect(res.statusCode, form).toBe(400);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
      }
      const json = await r.inject({
        method: 'POST',
        url: `/login/cli/${login.id}`,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ username: ['alice'], password: { length: 1 } }),
      });
      expect(json.statusCode).toBe(400);
      expect(await latestSeq()).toBe(before);
      expect((await poll(login.donePath)).statusCode).toBe(202);
    });

    it('refuses a password over 1024 bytes on the sign-in form with 400, approving nothing', async () => {
      const login = await start();
      const before = await latestSeq();
      const res = await signIn(login.id, `username=alice&password=${'x'.repeat(1025)}`);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('<form method="post"');
      expect(await latestSeq()).toBe(before);
      expect((await poll(login.donePath)).statusCode).toBe(202);
    });

    it('sends Cache-Control: no-store with the login URLs, every poll answer, and the token', async () => {
      const login = await start();
      expect(login.res.headers['cache-control']).toBe('no-store');
      const waiting = await poll(login.donePath);
      expect(waiting.statusCode).toBe(202);
      expect(waiting.headers['cache-control']).toBe('no-store');
      await approve(login.id, await signInOnPage(login.id, alice));
      const done = await poll(login.donePath);
      expect(done.statusCode).toBe(200);
      expect(done.json<{ token: string }>().token).toMatch(/^gth_/);
      expect(done.headers['cache-control']).toBe('no-store');
    });

    it('bounds unfinished logins from one address: beyond it 429 with Retry-After', async () => {
      const address = '203.0.113.50';
      for (let i = 0; i < 3; i++) expect((await start(address)).res.statusCode).toBe(200);
      const refused = (await start(address)).res;
      expect(refused.statusCode).toBe(429);
      expect(refused.json<{ code: string }>().code).toBe('TooManyPendingLogins');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((await start('203.0.113.51')).res.statusCode).toBe(200);
    });
  });
}
