// The read-only lock after risky recovery, as a maintainer meets it: after an email change or the
// use of a recovery code, a maintainer of a critical package (computed by the registry's job from
// 30 days of downloads) is refused publish, dist-tag, deprecate, owner and unpublish writes and
// two-factor changes with AccountRestricted, saying until when; reads work; after 72 hours all
// works again. A maintainer of no critical package is not locked, unless the policy says everyone.
// Both engines, ManualClock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import * as npm from '../support/npm-protocol.js';
import { enrolTotp, postProfile } from '../support/mfa.js';
import { readOutbox, verificationLink } from '../domain/mail/outbox-files.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { contextOf } from '../support/context.js';
import { ManualClock } from '../../src/domain/clock.js';
import { isEvent } from '../../src/domain/events/store.js';
import { addDays, dayOf } from '../../src/domain/downloads/days.js';

const HOUR = 60 * 60 * 1000;
const codeOf = (res: LightMyRequestResponse) => [res.statusCode, res.json<{ code?: string }>().code];
const pkg = (name: string, version: string) => packageBuilder(name, version).file('index.js', `// ${version}\n`);

async function changeEmail(r: TestRegistry, user: TestUser, email: string): Promise<void> {
  const res = await postProfile(r, user, { email, fullname: null, password: user.password });
  expect(res.statusCode, res.body).toBe(200);
  // Verified at once, so what is refused below is the lock, not the unverified address.
  await r.registry.mail.deliver();
  const mail = (await readOutbox(r.registry.config.dataDir)).find((m) => m.to === email && /verify/i.test(m.subject));
  const opened = await r.inject({
    method: 'GET',
    url: new URL(verificationLink(mail!)).pathname,
    headers: { accept: 'text/html' },
  });
  expect(opened.statusCode).toBe(200);
}

async function downloads(r: TestRegistry, name: string, count: number): Promise<void> {
  const yesterday = addDays(dayOf(r.registry.clock.now()), -1);
  await r.registry.store.downloads.add([{ packageName: name, version: '1.0.0', day: yesterday, count }]);
}

for (const engine of ENGINES) {
  describe(`read-only after risky recovery, for critical maintainers (${engine})`, () => {
    const clock = new ManualClock('2031-06-10T12:00:00.000Z');
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;

    beforeAll(async () => {
      r = await startRegistry(engine, {
        deps: { clock },
        config: { criticalMinDownloads: 100, criticalRequireSecurityKey: false },
      });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      await npm.published(r, alice, pkg('hot-pkg', '1.0.0'));
      await npm.published(r, bob, pkg('cold-pkg', '1.0.0'));
      await downloads(r, 'hot-pkg', 5000);
      await downloads(r, 'cold-pkg', 99);
      // The registry's own job ranks the downloads, once an interval has passed.
      clock.advance(HOUR);
      expect(await r.registry.jobs.runDue()).toContain('critical-packages.compute');
    });
    afterAll(() => r.close());

    it('finds the most downloaded package critical, and one under the floor not', async () => {
      expect(await r.registry.critical.isCritical('hot-pkg')).toBe(true);
      expect(await r.registry.critical.isCritical('cold-pkg')).toBe(false);
      expect(await r.registry.critical.criticalMaintainer(alice.user.id)).toBe(true);
      expect(await r.registry.critical.criticalMaintainer(bob.user.id)).toBe(false);
    });

    it('locks a critical maintainer after an email change, tells the old address, and lifts after 72 hours', async () => {
      await changeEmail(r, alice, 'alice@new.example');
      const [restricted] = (await r.registry.store.events.since(0, 10_000)).filter(isEvent('account.restricted'));
      expect(restricted?.data).toEqual({ reason: 'email-change', until: new Date(clock.now() + 72 * HOUR).toISOString() });
      const mails = await readOutbox(r.registry.config.dataDir);
      expect(mails.filter((m) => /read-only/i.test(m.subject)).map((m) => m.to)).toEqual(['alice@example.com']);

      const before = await r.registry.store.events.latestSeq();
      const refused = [
        await r.publish(alice, pkg('hot-pkg', '1.1.0')),
        await r.publish(alice, pkg('brand-new-pkg', '1.0.0')),
        await npm.addDistTag(r, alice, 'hot-pkg', 'next', '1.0.0'),
        await npm.deprecate(r, alice, 'hot-pkg', (doc) => void (doc.versions['1.0.0']!.deprecated = 'use 2')),
        await npm.changeOwners(r, alice, 'hot-pkg', (m) => void m.push({ name: 'bob', email: 'bob@example.com' })),
        await npm.unpublishVersion(r, alice.token, 'hot-pkg', '1.0.0'),
        await postProfile(r, alice, { tfa: { password: alice.password, mode: 'auth-and-writes' } }),
      ];
      for (const res of refused) expect(codeOf(res), res.body).toEqual([403, 'AccountRestricted']);
      expect(refused[0]!.json<{ error: string }>().error).toContain(restricted!.data.until);
      expect(await r.registry.store.events.latestSeq()).toBe(before);
      // Reads stay open.
      expect((await npm.packument(r, 'hot-pkg', alice.token)).versions['1.0.0']).toBeDefined();

      clock.advance(72 * HOUR);
      expect((await r.publish(alice, pkg('hot-pkg', '1.1.0'))).statusCode).toBe(201);
    });

    it('does not lock a maintainer of no critical package', async () => {
      await changeEmail(r, bob, 'bob@new.example');
      const locks = (await r.registry.store.events.since(0, 10_000))
        .filter(isEvent('account.restricted'))
        .filter((e) => e.actor.kind === 'user' && e.actor.userId === bob.user.id);
      expect(locks).toEqual([]);
      expect((await r.publish(bob, pkg('cold-pkg', '1.1.0'))).statusCode).toBe(201);
    });
  });

  describe(`read-only after a recovery code, for everyone (${engine})`, () => {
    const clock = new ManualClock('2031-06-10T12:00:00.000Z');
    let r: TestRegistry;

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock }, config: { restrictedAccounts: 'everyone', restrictedHours: 24 } });
    });
    afterAll(() => r.close());

    it('locks the account that used a recovery code, with a valid one-time password on the write, until the lock lifts', async () => {
      const carol = await r.createUser('carol');
      await npm.published(r, carol, pkg('carol-pkg', '1.0.0'));
      const totp = await enrolTotp(r, carol, 'auth-and-writes');
      await r.registry.secondFactor.verify(carol.user, contextOf({ kind: 'anonymous' }), totp.recoveryCodes[0]);
      const [lock] = (await r.registry.store.events.since(0, 10_000)).filter(isEvent('account.restricted'));
      expect(lock?.data.reason).toBe('recovery-code');
      const refused = await r.inject({
        method: 'PUT',
        url: '/carol-pkg',
        headers: { ...npm.bearer(carol.token), 'npm-otp': totp.nextCode() },
        payload: pkg('carol-pkg', '1.1.0').publishBody(r.url),
      });
      expect(codeOf(refused)).toEqual([403, 'AccountRestricted']);
      clock.advance(24 * HOUR);
      // Once the lock lifts, a fresh code publishes.
      const ok = await r.inject({
        method: 'PUT',
        url: '/carol-pkg',
        headers: { ...npm.bearer(carol.token), 'npm-otp': totp.nextCode() },
        payload: pkg('carol-pkg', '1.1.0').publishBody(r.url),
      });
      expect(ok.statusCode, ok.body).toBe(201);
    });
  });
}
