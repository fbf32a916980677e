// The maintainer MFA policy as the write checks apply it, on both engines with a ManualClock: a
// maintainer without a second factor is warned during the grace period and refused after it, for
// publish and owner changes only; an enrolled one passes; a trusted publisher is never held to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../support/engines.js';
import { startRegistry, type TestRegistry } from '../../support/registry.js';
import { contextOf, tokenContext } from '../../support/context.js';
import { ManualClock } from '../../../src/domain/clock.js';
import { codeAt, type TotpSecret } from '../../../src/domain/mfa/totp.js';
import { isGatehouseError } from '../../../src/domain/errors.js';

const DAY = 24 * 60 * 60 * 1000;
const START = Date.parse('2031-06-01T00:00:00.000Z');

for (const engine of ENGINES) {
  describe(`maintainer MFA policy (${engine})`, () => {
    const clock = new ManualClock(START);
    let r: TestRegistry;

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock }, config: { mfaGraceDays: 14 } });
    });
    afterAll(() => r.close());

    async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
      try {
        await promise;
        return undefined;
      } catch (err) {
        if (isGatehouseError(err)) return err.code;
        throw err;
      }
    }

    it('warns during the grace period, then refuses publish and owner changes but not other writes', async () => {
      clock.set(START);
      const alice = await r.createUser('alice');
      const context = tokenContext(await r.registry.tokens.authenticate(alice.token));
      const writes = r.registry.mfa.writes;
      const [warning] = await writes.check(context, 'publish');
      expect(warning).toContain('npm profile enable-2fa auth-and-writes');
      expect(await writes.check({ ...context }, 'dist-tags')).toEqual([]);

      clock.advance(14 * DAY - 1);
      expect(await writes.check({ ...context }, 'owners')).toHaveLength(1);
      clock.advance(1);
      expect(await refusal(writes.check({ ...context }, 'publish'))).toBe('MfaRequired');
      expect(await refusal(writes.check({ ...context }, 'owners'))).toBe('MfaRequired');
      for (const write of ['dist-tags', 'deprecate', 'unpublish'] as const)
        expect(await refusal(writes.check({ ...context }, write))).toBeUndefined();
    });

    it('gives an account made after the policy began its own grace period from its creation', async () => {
      clock.set(START + 100 * DAY);
      const late = await r.createUser('late');
      const context = tokenContext(await r.registry.tokens.authenticate(late.token));
      expect(await r.registry.mfa.writes.check(context, 'publish')).toHaveLength(1);
      clock.advance(14 * DAY);
      expect(await refusal(r.registry.mfa.writes.check({ ...context }, 'publish'))).toBe('MfaRequired');
    });

    it('lets an enrolled maintainer publish without a warning (with a code in auth-and-writes mode)', async () => {
      clock.set(START + 200 * DAY);
      const bob = await r.createUser('bob');
      const context = tokenContext(await r.registry.tokens.authenticate(bob.token));
      const started = await r.registry.mfa.mfa.enable(bob.user, context, bob.password, 'auth-and-writes');
      if (!('otpauthUrl' in started)) throw new Error('expected an otpauth URL');
      const secret = new URL(started.otpauthUrl).searchParams.get('secret') as TotpSecret;
      await r.registry.mfa.mfa.confirm(bob.user, context, codeAt(secret, clock.now()));
      clock.advance(30 * DAY);
      expect(await refusal(r.registry.mfa.writes.check({ ...context }, 'publish'))).toBe('OtpRequired');
      expect(await r.registry.mfa.writes.check({ ...context, otp: codeAt(secret, clock.now()) }, 'publish')).toEqual([]);
    });

    it('never holds a trusted publisher to it', async () => {
      clock.set(START + 400 * DAY);
      const ci = contextOf({
        kind: 'trusted-publisher',
        issuer: 'https://issuer.invalid',
        subject: 'repo:acme/app',
        packages: ['app'],
        publisherId: 'config-1',
        actions: ['publish'],
      });
      expect(await r.registry.mfa.writes.check(ci, 'publish')).toEqual([]);
    });
  });

  describe(`maintainer MFA policy switched off (${engine})`, () => {
    it('neither warns nor refuses', async () => {
      const clock = new ManualClock(START);
      const r = await startRegistry(engine, { deps: { clock }, config: { mfaRequiredForMaintainers: false, mfaGraceDays: 0 } });
      try {
        const carol = await r.createUser('carol');
        expect(
          await r.registry.mfa.writes.check(tokenContext(await r.registry.tokens.authenticate(carol.token)), 'publish'),
        ).toEqual([]);
      } finally {
        await r.close();
      }
    });
  });
}
