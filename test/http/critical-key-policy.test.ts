// The policy for maintainers of critical packages (criticalRequireSecurityKey, on by default): a
// maintainer of a package the registry's job ranked critical cannot publish or change owners
// without a security key or passkey; the 403 SecurityKeyRequiredForCritical names the account
// page; nothing is written. Once they add a key (allowed under mfaNewFactors=webauthn-only too)
// both work. A maintainer of no critical package is not held to it. Both engines, ManualClock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import * as npm from '../support/npm-protocol.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { ManualClock } from '../../src/domain/clock.js';
import { addDays, dayOf } from '../../src/domain/downloads/days.js';
import { browser, cookieOf } from './session-browser.js';
import { approveWrite, registerKey, softwareKey } from './security-key-steps.js';

const HOUR = 60 * 60 * 1000;
const codeOf = (res: LightMyRequestResponse) => [res.statusCode, res.json<{ code?: string }>().code];
const pkg = (name: string, version: string) => packageBuilder(name, version).file('index.js', `// ${version}\n`);

for (const engine of ENGINES) {
  describe(`critical maintainers need a security key (${engine})`, () => {
    const clock = new ManualClock('2031-06-10T12:00:00.000Z');
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock }, config: { criticalMinDownloads: 100, mfaNewFactors: 'webauthn-only' } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      await npm.published(r, alice, pkg('hot-pkg', '1.0.0'));
      await npm.published(r, bob, pkg('cold-pkg', '1.0.0'));
      const yesterday = addDays(dayOf(clock.now()), -1);
      await r.registry.store.downloads.add([{ packageName: 'hot-pkg', version: '1.0.0', day: yesterday, count: 5000 }]);
      clock.advance(HOUR);
      expect(await r.registry.jobs.runDue()).toContain('critical-packages.compute');
    });
    afterAll(() => r?.close());

    it('refuses publish and owner changes without a key, saying where to add one, and writes nothing', async () => {
      const before = await r.registry.store.events.latestSeq();
      const publish = await r.publish(alice, pkg('hot-pkg', '1.1.0'));
      expect(codeOf(publish)).toEqual([403, 'SecurityKeyRequiredForCritical']);
      expect(publish.json<{ error: string }>().error).toContain(`${r.registry.baseUrl()}/account#security-keys`);
      const owners = await npm.changeOwners(r, alice, 'hot-pkg', (m) => void m.push({ name: 'bob', email: 'bob@example.com' }));
      expect(codeOf(owners)).toEqual([403, 'SecurityKeyRequiredForCritical']);
      expect(await r.registry.store.events.latestSeq()).toBe(before);
      // Not critical: bob publishes with no key.
      expect((await r.publish(bob, pkg('cold-pkg', '1.1.0'))).statusCode).toBe(201);
    });

    it('lets the maintainer add a key (webauthn-only allows it), then publish and change owners, each approved with it', async () => {
      // The email-domain job ran with the clock: sign-in shows its notice (200) and still sets the cookie.
      const signIn = await browser(r).post('/login', { username: 'alice', password: alice.password });
      const b = browser(r, cookieOf(signIn));
      const key = softwareKey(r);
      await registerKey(b, key);
      // The first factor guards writes: each one is approved with the key in the browser (key-writes.test.ts).
      const body = pkg('hot-pkg', '1.1.0').publishBody(r.url);
      const put = (otp?: string) =>
        r.inject({
          method: 'PUT',
          url: '/hot-pkg',
          headers: { ...npm.bearer(alice.token), ...(otp ? { 'npm-otp': otp } : {}) },
          payload: body,
        });
      const code = await approveWrite(r, b, key, await put(), alice);
      expect((await put(code)).statusCode).toBe(201);
      const addBob = (m: npm.Maintainer[]) => void m.push({ name: 'bob', email: 'bob@example.com' });
      const refused = await npm.changeOwners(r, alice, 'hot-pkg', addBob);
      const ownersCode = await approveWrite(r, b, key, refused, alice);
      const approved = {
        ...r,
        inject: (o: Parameters<TestRegistry['inject']>[0]) =>
          r.inject({ ...o, headers: { ...o.headers, 'npm-otp': ownersCode } }),
      };
      const owners = await npm.changeOwners(approved as TestRegistry, alice, 'hot-pkg', addBob);
      expect(owners.statusCode, owners.body).toBe(200);
    });
  });
}
