// The read-only lock's rules in the domain: who it covers (critical maintainers, or everyone),
// that a second lock never shortens the first, that it ends on the clock, and that 0 hours turns
// it off. Both engines, ManualClock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../support/engines.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';
import { ManualClock } from '../../../src/domain/clock.js';
import { AccountRestrictions } from '../../../src/domain/accounts/restrictions.js';

const HOUR = 60 * 60 * 1000;

for (const engine of ENGINES) {
  describe(`account restrictions (${engine})`, () => {
    const clock = new ManualClock('2031-11-01T00:00:00.000Z');
    let r: TestRegistry;
    const at = () => new Date(clock.now()).toISOString();
    const make = (hours: number, scope: 'critical-maintainers' | 'everyone') =>
      new AccountRestrictions({ store: r.registry.store, clock, policy: { hours, scope } });

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock } });
    });
    afterAll(() => r.close());

    it('covers only critical maintainers by default, and nobody with 0 hours', async () => {
      const { user } = await r.createUser('plain');
      const critical = make(72, 'critical-maintainers');
      expect(await r.registry.store.transaction((tx) => critical.restrictIn(tx, user, 'email-change', at()))).toBeUndefined();
      expect(
        await r.registry.store.transaction((tx) => make(0, 'everyone').restrictIn(tx, user, 'email-change', at())),
      ).toBeUndefined();
      expect(await critical.current(user.id)).toBeUndefined();
      await expect(critical.check(user, 'publish')).resolves.toBeUndefined();
    });

    it('keeps the later of two locks, refuses while it lasts and ends on the clock', async () => {
      const { user } = await r.createUser('locked');
      const long = make(72, 'everyone');
      const short = make(1, 'everyone');
      const until = await r.registry.store.transaction((tx) => long.restrictIn(tx, user, 'email-change', at()));
      clock.advance(HOUR);
      await r.registry.store.transaction((tx) => short.restrictIn(tx, user, 'recovery-code', at()));
      expect(await long.current(user.id)).toEqual({ userId: user.id, reason: 'email-change', until });
      await expect(long.check(user, 'mfa')).rejects.toMatchObject({ code: 'AccountRestricted', status: 403 });
      clock.advance(71 * HOUR - 1);
      await expect(long.check(user, 'tokens')).rejects.toMatchObject({ code: 'AccountRestricted' });
      clock.advance(1);
      await expect(long.check(user, 'publish')).resolves.toBeUndefined();
      // A new lock after the old one ended replaces it.
      const next = await r.registry.store.transaction((tx) => short.restrictIn(tx, user, 'admin-recovery', at()));
      expect(await short.current(user.id)).toEqual({ userId: user.id, reason: 'admin-recovery', until: next });
    });
  });
}
