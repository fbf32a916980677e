// Time as users see it, moved by the one ManualClock handed to openRegistry: tokens and web
// logins expire, retry hints count down, and answers that print a time print the registry's.
// Nothing here sleeps; if a service read the wall clock instead, these answers would not move.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { bearer } from '../support/npm-protocol.js';
import { ManualClock } from '../../src/domain/clock.js';
import { WEB_LOGIN_TTL_MS } from '../../src/domain/accounts/web-login.js';

const HOUR = 3600_000;

for (const engine of ENGINES) {
  describe(`the registry clock (${engine})`, () => {
    // Years away from the wall clock, so an answer computed from Date.now() could never match.
    const clock = new ManualClock('2031-03-01T09:00:00.000Z');
    let r: TestRegistry;
    let alice: TestUser;

    beforeAll(async () => {
      r = await startRegistry(engine, { config: { pendingWebLoginsPerIp: 1 }, deps: { clock } });
      alice = await r.createUser('alice');
    });
    afterAll(() => r.close());

    const whoami = (token: string) => r.inject({ method: 'GET', url: '/-/whoami', headers: bearer(token) });

    it('accepts a token until its expiry and refuses it from then on, cached or not', async () => {
      const expiresAt = new Date(clock.now() + HOUR).toISOString();
      const { secret } = await r.registry.store.transaction((tx) =>
        r.registry.tokens.create(tx, alice.user, { expiresAt, reason: 'test' }),
      );
      expect((await whoami(secret)).json()).toEqual({ username: 'alice' });
      clock.advance(HOUR - 1);
      // Still cached from the first request, and still live.
      expect((await whoami(secret)).statusCode).toBe(200);
      clock.advance(1);
      const refused = await whoami(secret);
      expect(refused.statusCode, refused.body).toBe(401);
      // A token without an expiry is untouched by the same hour.
      expect((await whoami(alice.token)).statusCode).toBe(200);
    });

    it('expires a web login after its time to live: the poll and the sign-in page both say not found', async () => {
      const start = await r.inject({ method: 'POST', url: '/-/v1/login', payload: {}, remoteAddress: '198.51.100.10' });
      expect(start.statusCode, start.body).toBe(200);
      const { loginUrl, doneUrl } = start.json<{ loginUrl: string; doneUrl: string }>();
      const poll = () => r.inject({ method: 'GET', url: new URL(doneUrl).pathname });
      const page = () => r.inject({ method: 'GET', url: new URL(loginUrl).pathname });
      clock.advance(WEB_LOGIN_TTL_MS - 1);
      expect((await poll()).statusCode).toBe(202);
      expect((await page()).statusCode).toBe(200);
      clock.advance(1);
      const late = await poll();
      expect(late.statusCode).toBe(404);
      expect(late.json<{ code: string }>().code).toBe('WebLoginNotFound');
      expect((await page()).statusCode).toBe(404);
    });

    it('tells an address holding its last open web login how long until it expires', async () => {
      const from = { remoteAddress: '198.51.100.20' };
      expect((await r.inject({ method: 'POST', url: '/-/v1/login', payload: {}, ...from })).statusCode).toBe(200);
      clock.advance(4 * 60_000);
      const refused = await r.inject({ method: 'POST', url: '/-/v1/login', payload: {}, ...from });
      expect(refused.statusCode).toBe(429);
      expect(refused.json<{ code: string }>().code).toBe('TooManyPendingLogins');
      expect(refused.headers['retry-after']).toBe(String(WEB_LOGIN_TTL_MS / 1000 - 4 * 60));
      // Once that login has expired, the address may open another.
      clock.advance(WEB_LOGIN_TTL_MS - 4 * 60_000);
      expect((await r.inject({ method: 'POST', url: '/-/v1/login', payload: {}, ...from })).statusCode).toBe(200);
    });

    it("stamps search answers with the registry's time", async () => {
      clock.set('2031-07-04T18:30:00.000Z');
      const res = await r.inject({ method: 'GET', url: '/-/v1/search?text=anything' });
      expect(res.statusCode).toBe(200);
      expect(res.json<{ time: string }>().time).toBe('Fri, 04 Jul 2031 18:30:00 GMT');
    });
  });
}
