// Leaked passwords through the whole registry, on both engines: user creation (`gatehouse user
// create` calls createUser) refuses one with PasswordLeaked and writes nothing; a password that
// leaked after the account was made is still recognised, but the legacy npm login gets no token
// for it (PasswordChangeRequired): only the web sign-in, to change it (test/http/leaked-password-sign-in.test.ts).
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../support/engines.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';
import { startHibpServer, type HibpServer } from '../../support/hibp-server.js';
import { isGatehouseError } from '../../../src/domain/errors.js';

const LATER_LEAKED = 'a fine passphrase until it leaked';
const HIBP_LEAKED = 'a passphrase the whole world has seen';

async function codeOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
    return undefined;
  } catch (err) {
    if (isGatehouseError(err)) return err.code;
    throw err;
  }
}

for (const engine of ENGINES) {
  describe(`leaked passwords (${engine})`, () => {
    let hibp: HibpServer;
    let r: TestRegistry;
    let offline: TestRegistry;

    beforeAll(async () => {
      hibp = await startHibpServer();
      hibp.addBreached(HIBP_LEAKED, 120);
      r = await startRegistry(engine, { config: { hibpUrl: hibp.url } });
      offline = await startRegistry(engine);
    });
    afterAll(async () => {
      await r?.close();
      await offline?.close();
      await hibp?.close();
    });

    const create = (t: TestRegistry, name: string, password: string) =>
      t.registry.accounts.createUser({ name, email: `${name}@example.com`, password, isAdmin: false });
    // What npm-profile's loginCouch sends for `npm login --auth-type=legacy`.
    const login = (t: TestRegistry, name: string, password: string): Promise<LightMyRequestResponse> =>
      t.inject({
        method: 'PUT',
        url: `/-/user/org.couchdb.user:${name}`,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password, type: 'user', roles: [] }),
      });

    it('refuses to create a user with a password the HIBP API lists, and writes nothing', async () => {
      const before = await r.registry.store.events.latestSeq();
      expect(await codeOf(create(r, 'carol', HIBP_LEAKED))).toBe('PasswordLeaked');
      expect(await r.registry.store.users.byName('carol')).toBeUndefined();
      expect(await r.registry.store.events.latestSeq()).toBe(before);
      await create(r, 'carol', 'carol has a passphrase of her own');
    });

    it('refuses a common breached password with the bundled list, offline and by default', async () => {
      for (const password of ['password123', 'qwertyuiop', '1234567890']) {
        expect(await codeOf(create(offline, 'dave', password)), password).toBe('PasswordLeaked');
      }
      expect(await offline.registry.store.users.byName('dave')).toBeUndefined();
      expect(await offline.registry.store.events.latestSeq()).toBe(0);
    });

    it('gives no token for a password that leaked later, and says to change it on the website', async () => {
      await create(r, 'erin', LATER_LEAKED);
      const clean = await login(r, 'erin', LATER_LEAKED);
      expect(clean.statusCode, clean.body).toBe(201);
      expect(clean.headers['npm-notice']).toBeUndefined();
      expect((await r.registry.accounts.checkPassword('erin', LATER_LEAKED, { clientIp: '127.0.0.1' })).mustChangePassword).toBe(
        false,
      );

      hibp.addBreached(LATER_LEAKED, 1);
      const before = await r.registry.store.events.latestSeq();
      const res = await login(r, 'erin', LATER_LEAKED);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json<{ code: string }>().code).toBe('PasswordChangeRequired');
      expect(res.body).not.toMatch(/gth_/);
      expect(await r.registry.store.events.latestSeq()).toBe(before);
      // The check the web sign-in and the web login approval use.
      expect((await r.registry.accounts.checkPassword('erin', LATER_LEAKED, { clientIp: '127.0.0.1' })).mustChangePassword).toBe(
        true,
      );
    });

    it('never screens a wrong password, and answers it as before', async () => {
      const asked = hibp.requests.length;
      const res = await login(r, 'erin', HIBP_LEAKED);
      expect(res.statusCode).toBe(401);
      expect(res.json<{ code: string }>().code).toBe('BadCredentials');
      expect(hibp.requests.length).toBe(asked);
    });

    it('keeps no password or hash in any event', async () => {
      const events = JSON.stringify(await r.registry.store.events.since(0, 1000));
      for (const secret of [HIBP_LEAKED, LATER_LEAKED]) expect(events).not.toContain(secret);
    });
  });
}
