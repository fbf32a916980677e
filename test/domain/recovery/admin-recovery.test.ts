// Admin-assisted recovery in the domain: it needs named identity checks, sets the new address
// unverified (with its verification mail), revokes every token, records account.recovered with
// the checks (mailed to the recovered account), removes two-factor only when asked — with its own
// event — and locks the account as any risky recovery step does. Refusals change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../support/engines.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';
import { bearer } from '../../support/npm-protocol.js';
import { enrolTotp } from '../../support/mfa.js';
import { readOutbox } from '../../domain/mail/outbox-files.js';
import { ManualClock } from '../../../src/domain/clock.js';
import { isEvent } from '../../../src/domain/events/store.js';

const HOUR = 60 * 60 * 1000;

for (const engine of ENGINES) {
  describe(`admin-assisted recovery (${engine})`, () => {
    const clock = new ManualClock('2031-10-01T10:00:00.000Z');
    let r: TestRegistry;
    const events = () => r.registry.store.events.since(0, 10_000);
    const whoami = (token: string) => r.inject({ method: 'GET', url: '/-/whoami', headers: bearer(token) });

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock }, config: { restrictedAccounts: 'everyone' } });
    });
    afterAll(() => r.close());

    it('refuses without a named check, for an unknown user or an invalid address, changing nothing', async () => {
      await r.createUser('ann');
      const before = await r.registry.store.events.latestSeq();
      const admin = r.registry.recovery.admin;
      await expect(admin.recover('ann', { email: 'ann@new.example', checks: ' , ', resetMfa: false })).rejects.toMatchObject({
        code: 'RecoveryChecksMissing',
      });
      await expect(admin.recover('ann', { email: 'ann@new.example', checks: [], resetMfa: false })).rejects.toMatchObject({
        code: 'RecoveryChecksMissing',
      });
      await expect(
        admin.recover('ann', { email: 'ann@new.example', checks: 'id document', resetMfa: false }),
      ).rejects.toMatchObject({ code: 'BadRequest' });
      await expect(
        admin.recover('nobody', { email: 'x@new.example', checks: 'id-document', resetMfa: false }),
      ).rejects.toMatchObject({ code: 'UserNotFound' });
      await expect(admin.recover('ann', { email: 'nope', checks: 'id-document', resetMfa: false })).rejects.toMatchObject({
        code: 'InvalidEmail',
      });
      expect(await r.registry.store.events.latestSeq()).toBe(before);
      expect((await r.registry.store.users.byName('ann'))?.email).toBe('ann@example.com');
    });

    it('sets the address, revokes tokens, records the checks and keeps two-factor unless asked', async () => {
      const bea = await r.createUser('bea');
      await enrolTotp(r, bea, 'auth-and-writes');
      const result = await r.registry.recovery.admin.recover('bea', {
        email: 'bea@new.example',
        checks: 'id-document, signed-commit',
        resetMfa: false,
      });
      expect(result).toMatchObject({ mfaRemoved: false, tokensRevoked: 1 });
      expect(result.user).toMatchObject({ email: 'bea@new.example', emailVerified: false });
      expect(result.restrictedUntil).toBe(new Date(clock.now() + 72 * HOUR).toISOString());
      expect((await whoami(bea.token)).statusCode).toBe(401);
      expect(await r.registry.secondFactor.required(bea.user, 'auth')).toBe(true);
      const mine = (await events()).filter((e) => e.actor.kind === 'user' && e.actor.userId === bea.user.id);
      expect(mine.filter(isEvent('account.recovered')).map((e) => e.data)).toEqual([
        { by: 'admin', checks: ['id-document', 'signed-commit'] },
      ]);
      expect(mine.filter(isEvent('mfa.disabled'))).toEqual([]);
      expect(mine.filter(isEvent('account.restricted')).map((e) => e.data.reason)).toEqual(['admin-recovery']);

      await r.registry.mail.deliver();
      const mails = (await readOutbox(r.registry.config.dataDir)).filter((m) => m.to === 'bea@new.example');
      expect(mails.map((m) => m.subject)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/recovered/i),
          expect.stringMatching(/verify/i),
          expect.stringMatching(/email address was changed/i),
        ]),
      );
    });

    it('removes two-factor only with resetMfa, saying so in its own event and mail', async () => {
      const cid = await r.createUser('cid');
      await enrolTotp(r, cid, 'auth-only');
      const result = await r.registry.recovery.admin.recover('cid', {
        email: 'cid@example.com',
        checks: ['org-confirmation'],
        resetMfa: true,
      });
      expect(result.mfaRemoved).toBe(true);
      // The same address: no address change, the address stays verified.
      expect(result.user).toMatchObject({ email: 'cid@example.com', emailVerified: true });
      expect(await r.registry.secondFactor.required(cid.user, 'auth')).toBe(false);
      const mine = (await events()).filter((e) => e.actor.kind === 'user' && e.actor.userId === cid.user.id);
      expect(mine.filter(isEvent('mfa.disabled')).map((e) => e.data)).toEqual([{ method: 'totp' }]);
      expect(mine.filter(isEvent('email.changed'))).toEqual([]);
      await r.registry.mail.deliver();
      const subjects = (await readOutbox(r.registry.config.dataDir))
        .filter((m) => m.to === 'cid@example.com')
        .map((m) => m.subject);
      expect(subjects).toEqual(
        expect.arrayContaining([expect.stringMatching(/turned off/i), expect.stringMatching(/recovered/i)]),
      );
    });
  });
}
