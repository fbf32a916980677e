// Brute-force defence as clients see it, on both engines: npm's legacy login PUT and the web
// sign-in page answer wrong guesses with 401 until the backoff starts, then 429 TooManyAttempts
// with Retry-After; a name that does not exist gets byte-for-byte the same answers as one that
// does; the right password is refused too while locked (no oracle); the owner of a real account
// gets one account.locked event. Time is a ManualClock: nothing here waits.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { ManualClock } from '../../src/domain/clock.js';
import { isEvent } from '../../src/domain/events/store.js';

const json = { 'content-type': 'application/json' };

/** What a client can observe of an answer: status, the code and message, and Retry-After. */
function observed(res: LightMyRequestResponse) {
  const body = res.json<{ code: string; error: string }>();
  return { status: res.statusCode, code: body.code, error: body.error, retryAfter: res.headers['retry-after'] };
}

for (const engine of ENGINES) {
  describe(`brute-force defence over HTTP (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    const clock = new ManualClock('2026-03-01T10:00:00Z');

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
    });
    afterAll(() => r?.close());

    // What npm-profile's loginCouch sends.
    const login = (name: string, password: string, remoteAddress: string) =>
      r.inject({
        method: 'PUT',
        url: `/-/user/org.couchdb.user:${encodeURIComponent(name)}`,
        headers: json,
        remoteAddress,
        payload: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password, type: 'user', roles: [] }),
      });
    const lockEvents = async () => (await r.registry.store.events.since(0, 10_000)).filter(isEvent('account.locked'));

    it('answers the sixth wrong password with 429 TooManyAttempts and Retry-After, the same for an unknown name', async () => {
      const known: ReturnType<typeof observed>[] = [];
      const unknown: ReturnType<typeof observed>[] = [];
      for (let i = 0; i < 7; i++) {
        known.push(observed(await login('alice', 'wrong-password-guess', '203.0.113.1')));
        unknown.push(observed(await login('nobody-at-all', 'wrong-password-guess', '203.0.113.2')));
      }
      expect(known.slice(0, 5).map((a) => a.code)).toEqual(Array(5).fill('BadCredentials'));
      expect(known[5]).toMatchObject({ status: 429, code: 'TooManyAttempts', retryAfter: '1' });
      expect(known[6]).toEqual(known[5]);
      expect(unknown).toEqual(known);
    });

    it('refuses even the right password while the account must wait, and takes it once the wait is over', async () => {
      for (let i = 0; i < 5; i++) await login('bob', 'wrong-password-guess', '203.0.113.3');
      expect(observed(await login('bob', bob.password, '203.0.113.3'))).toMatchObject({ status: 429, code: 'TooManyAttempts' });
      clock.advance(1000);
      const res = await login('bob', bob.password, '203.0.113.3');
      expect(res.statusCode, res.body).toBe(201);
      // The success reset bob's count: five more wrong guesses before any wait.
      for (let i = 0; i < 5; i++) expect(observed(await login('bob', 'wrong', '203.0.113.3')).code).toBe('BadCredentials');
    });

    it('locks an account at the tenth wrong password for 15 minutes, and tells its owner once', async () => {
      clock.advance(60 * 60 * 1000);
      const before = (await lockEvents()).length;
      for (let i = 0; i < 10; i++) {
        expect(observed(await login('alice', 'wrong-password-guess', `203.0.113.${10 + i}`)).code).toBe('BadCredentials');
        clock.advance(60_000);
      }
      // From a fresh address, with the right password: still locked, and the answer says for how long.
      const locked = observed(await login('alice', alice.password, '203.0.113.99'));
      expect(locked).toMatchObject({ status: 429, code: 'TooManyAttempts', retryAfter: String(14 * 60) });
      const events = (await lockEvents()).slice(before);
      expect(events).toHaveLength(1);
      expect(events[0]!.actor).toEqual({ kind: 'user', userId: alice.user.id });
      expect(events[0]!.data.secret).toBe('password');
      clock.advance(14 * 60 * 1000);
      expect((await login('alice', alice.password, '203.0.113.99')).statusCode).toBe(201);
    });

    it('answers the web sign-in page with 429 and Retry-After too, and keeps the login open', async () => {
      clock.advance(60 * 60 * 1000);
      const start = await r.inject({
        method: 'POST',
        url: '/-/v1/login',
        headers: json,
        payload: '{}',
        remoteAddress: '198.51.100.7',
      });
      const id = start.json<{ loginUrl: string }>().loginUrl.split('/').pop()!;
      const signIn = (password: string) =>
        r.inject({
          method: 'POST',
          url: `/login/cli/${id}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
          remoteAddress: '198.51.100.8',
          payload: `username=alice&password=${encodeURIComponent(password)}`,
        });
      for (let i = 0; i < 5; i++) expect((await signIn('wrong-password-guess')).statusCode).toBe(401);
      const refused = await signIn(alice.password);
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.body).toContain('<form');
      clock.advance(1000);
      // Signed in: back to the login's page, which now asks for approval (docs/web-sessions.md).
      const signedIn = await signIn(alice.password);
      expect(signedIn.statusCode).toBe(303);
      expect(signedIn.headers.location).toBe(`/login/cli/${id}`);
    });
  });
}

describe('brute-force defence with its Redis unreachable', () => {
  let r: TestRegistry;
  let alice: TestUser;

  beforeAll(async () => {
    // Port 1 on the loopback: nothing listens, so every counter operation fails.
    r = await startRegistry(ENGINES[0]!, { config: { redisUrl: 'redis://127.0.0.1:1' } });
    alice = await r.createUser('alice');
  });
  afterAll(() => r?.close());

  it('refuses a login rather than let it through uncounted', async () => {
    const res = await r.inject({
      method: 'PUT',
      url: '/-/user/org.couchdb.user:alice',
      headers: json,
      payload: JSON.stringify({ name: 'alice', password: alice.password }),
    });
    expect(res.statusCode).toBe(500);
    expect(res.json<{ code: string }>().code).toBe('InternalError');
    expect(await r.registry.store.events.since(0, 100)).not.toContainEqual(expect.objectContaining({ type: 'user.login' }));
  });
});
