// The legacy login PUT (npm login --auth-type=legacy, yarn) and the user lookup, through the real
// app on both engines: oversized passwords are refused before hashing, concurrent password checks
// are bounded (429 with Retry-After beyond the bound), tokens are never cacheable, and a user
// lookup tells anonymous callers nothing and signed-in ones only what is already public.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';

const json = { 'content-type': 'application/json' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function expectCode(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json<{ code: string }>().code).toBe(code);
}

for (const engine of ENGINES) {
  describe(`legacy login and user lookup (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;

    beforeAll(async () => {
      r = await startRegistry(engine);
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
    });
    afterAll(() => r?.close());

    // What npm-profile's loginCouch sends.
    const login = (name: string, password: string) =>
      r.inject({
        method: 'PUT',
        url: `/-/user/org.couchdb.user:${encodeURIComponent(name)}`,
        headers: json,
        payload: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password, type: 'user', roles: [] }),
      });
    const latestSeq = () => r.registry.store.events.latestSeq();

    it('answers a login with its token and Cache-Control: no-store', async () => {
      const res = await login('alice', alice.password);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json<{ token: string }>().token).toMatch(/^gth_/);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('refuses a password over 1024 bytes with 400 PasswordTooLong and leaves no trace', async () => {
      const before = await latestSeq();
      // 1025 bytes in 513 characters: the limit counts UTF-8 bytes, not characters.
      expectCode(await login('alice', 'é'.repeat(512) + 'x'), 400, 'PasswordTooLong');
      expectCode(await login('alice', 'x'.repeat(8 * 1024)), 400, 'PasswordTooLong');
      // Far larger bodies never reach the password check: the login route's body limit refuses them first.
      expectCode(await login('alice', 'x'.repeat(2 * 1024 * 1024)), 413, 'BodyTooLarge');
      expectCode(await login('nobody', 'x'.repeat(1025)), 400, 'PasswordTooLong');
      expect(await latestSeq()).toBe(before);
    });

    it('still checks a password of exactly 1024 bytes', async () => {
      expectCode(await login('alice', 'é'.repeat(512)), 401, 'BadCredentials');
    });

    it('bounds concurrent password checks: the overflow gets 429 with Retry-After, the rest their true answer', async () => {
      const before = await latestSeq();
      const attempts = Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? 'not-the-password' : alice.password));
      const answers = await Promise.all(attempts.map((password) => login('alice', password)));
      let busy = 0;
      let succeeded = 0;
      answers.forEach((res, i) => {
        if (res.statusCode === 429) {
          busy++;
          expectCode(res, 429, 'PasswordChecksBusy');
          expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        } else if (attempts[i] === alice.password) {
          succeeded++;
          expect(res.statusCode, res.body).toBe(201);
        } else {
          expectCode(res, 401, 'BadCredentials');
        }
      });
      expect(busy).toBeGreaterThan(0);
      expect(busy).toBeLessThan(attempts.length);
      // Refused attempts issued nothing: one token.created and one user.login per success.
      const events = (await r.registry.store.events.since(before, 1000)).map((e) => e.type);
      expect(events.filter((t) => t === 'token.created')).toHaveLength(succeeded);
      expect(events.filter((t) => t === 'user.login')).toHaveLength(succeeded);
      // Once the burst is over, logins go through again.
      expect((await login('alice', alice.password)).statusCode).toBe(201);
    });

    it('tells an anonymous client nothing about users: the same 401 whether one exists or not', async () => {
      const known = await r.inject({ method: 'GET', url: '/-/user/org.couchdb.user:bob' });
      const unknown = await r.inject({ method: 'GET', url: '/-/user/org.couchdb.user:nobody' });
      expectCode(known, 401, 'Unauthenticated');
      expectCode(unknown, 401, 'Unauthenticated');
      expect(unknown.body).toBe(known.body);
    });

    it('shows a signed-in user their own record, address included', async () => {
      const res = await r.inject({ method: 'GET', url: '/-/user/org.couchdb.user:alice', headers: bearer(alice.token) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ _id: 'org.couchdb.user:alice', name: 'alice', email: 'alice@example.com' });
    });

    it("shows another user's name but not their address (npm owner add still gets an email field)", async () => {
      const res = await r.inject({ method: 'GET', url: '/-/user/org.couchdb.user:bob', headers: bearer(alice.token) });
      expect(res.statusCode).toBe(200);
      const view = res.json<{ name: string; email: string }>();
      expect(view.name).toBe('bob');
      expect(view.email).not.toBe(bob.user.email);
      expect(view.email).toMatch(/\.invalid$/);
      expect(res.body).not.toContain('bob@example.com');
    });

    it('answers a signed-in user 404 for a user that does not exist', async () => {
      const res = await r.inject({ method: 'GET', url: '/-/user/org.couchdb.user:nobody', headers: bearer(alice.token) });
      expectCode(res, 404, 'UserNotFound');
    });
  });
}
