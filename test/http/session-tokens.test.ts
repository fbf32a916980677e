// Session tokens and automation tokens in `npm token list`'s API (GET /-/npm/v1/tokens), on both
// engines: a login's token is named as a session token with its expiry, a token made for
// automation has none; revoked and expired tokens are not listed; no secret is in the answer; a
// listed key revokes its token; only a token (never a session cookie, never nobody) may list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { ManualClock } from '../../src/domain/clock.js';
import { signedInBrowser } from './session-browser.js';

interface ListedToken {
  key: string;
  token: string;
  name: string;
  created: string;
  readonly: boolean;
  expires: string | null;
  kind: string;
}

const HOUR = 60 * 60 * 1000;

for (const engine of ENGINES) {
  describe(`npm token list: session and automation tokens (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    const clock = new ManualClock('2030-01-01T00:00:00.000Z');

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock } });
      alice = await r.createUser('alice');
    });
    afterAll(() => r?.close());

    const list = (headers: Record<string, string>) => r.inject({ method: 'GET', url: '/-/npm/v1/tokens', headers });
    const login = async () =>
      (
        await r.inject({
          method: 'PUT',
          url: '/-/user/org.couchdb.user:alice',
          payload: { name: 'alice', password: alice.password },
        })
      ).json<{ token: string }>().token;

    it("lists a login's token as a session token that expires, apart from the automation token", async () => {
      const sessionToken = await login();
      const res = await list({ authorization: `Bearer ${alice.token}` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json<{ objects: ListedToken[]; total: number; urls: object }>();
      expect(body.total).toBe(2);
      expect(body.urls).toEqual({});
      const [automation, session] = body.objects;
      expect(automation).toMatchObject({ kind: 'automation', name: 'automation token', expires: null, readonly: false });
      expect(session?.kind).toBe('session');
      expect(session?.expires).toBe(new Date(clock.now() + 12 * HOUR).toISOString());
      expect(session?.name).toBe(`session token (npm login), expires ${session?.expires}`);
      expect(res.body).not.toContain(sessionToken);
      expect(res.body).not.toContain(alice.token);
      expect(new Set(body.objects.map((t) => t.key)).size).toBe(2);
    });

    it('leaves out revoked and expired tokens', async () => {
      const doomed = await login();
      await r.inject({ method: 'DELETE', url: `/-/user/token/${doomed}`, headers: { authorization: `Bearer ${doomed}` } });
      clock.advance(12 * HOUR);
      const body = (await list({ authorization: `Bearer ${alice.token}` })).json<{ objects: ListedToken[] }>();
      expect(body.objects.map((t) => t.kind)).toEqual(['automation']);
    });

    it('revokes a token by its listed key: it stops working, and an unknown key is TokenNotFound', async () => {
      const doomed = await login();
      const listed = (await list({ authorization: `Bearer ${alice.token}` })).json<{ objects: ListedToken[] }>().objects;
      const key = listed.find((t) => t.kind === 'session')!.key;
      const del = (k: string) =>
        r.inject({ method: 'DELETE', url: `/-/npm/v1/tokens/token/${k}`, headers: { authorization: `Bearer ${alice.token}` } });
      expect((await del(key)).statusCode).toBe(200);
      expect(
        (await r.inject({ method: 'GET', url: '/-/whoami', headers: { authorization: `Bearer ${doomed}` } })).statusCode,
      ).toBe(401);
      const again = await del(key);
      expect(again.statusCode).toBe(404);
      expect(again.json<{ code: string }>().code).toBe('TokenNotFound');
      expect((await del('0'.repeat(64))).json<{ code: string }>().code).toBe('TokenNotFound');
    });

    it('answers 401 to nobody and to a web session cookie', async () => {
      const anonymous = await list({});
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json<{ code: string }>().code).toBe('Unauthenticated');
      const b = await signedInBrowser(r, alice);
      expect((await list({ cookie: b.cookie })).statusCode).toBe(401);
    });
  });
}
