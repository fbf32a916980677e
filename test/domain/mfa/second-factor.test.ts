// The second factor as other parts ask it, on both engines with a ManualClock: enrolment in two
// steps, the ±1-step window, codes that work once (replay, races), recovery codes that work once
// and are replaced, the guess guard around every check, and no secret in any table or event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../../support/registry.js';
import { tokenContext } from '../../support/context.js';
import { ManualClock } from '../../../src/domain/clock.js';
import { codeAt, type TotpSecret } from '../../../src/domain/mfa/totp.js';
import { wireMfa, type MfaDeps } from '../../../src/domain/mfa/index.js';
import { loadSecretKey } from '../../../src/domain/mfa/secret-key.js';
import type { GuessAttempt, GuessGuard } from '../../../src/domain/access/guess-guard.js';
import type { RequestContext } from '../../../src/domain/access/context.js';
import { isGatehouseError } from '../../../src/domain/errors.js';
import { isEvent } from '../../../src/domain/events/store.js';
import { openDatabase } from '../../../src/storage/db/database.js';
import { sql } from 'kysely';

const STEP = 30_000;
const START = Date.parse('2031-05-01T10:00:00.000Z');

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    if (isGatehouseError(err)) return err.code;
    throw err;
  }
}

/** Records what the guard was told, in order, and lets everything through. */
class RecordingGuard implements GuessGuard {
  readonly seen: string[] = [];
  before = async (a: GuessAttempt) => void this.seen.push(`before ${a.secret} ${a.account}`);
  failed = async (a: GuessAttempt) => void this.seen.push(`failed ${a.secret}`);
  succeeded = async (a: GuessAttempt) => void this.seen.push(`succeeded ${a.secret}`);
}

for (const engine of ENGINES) {
  describe(`second factor (${engine})`, () => {
    const clock = new ManualClock(START);
    let r: TestRegistry;
    const guard = new RecordingGuard();
    let mfa: ReturnType<typeof wireMfa>;
    const leaked = 'correct horse battery staple';

    /** A domain wired like the registry's, but with a recording guard and a screen that knows one leaked password. */
    function domain(overrides: Partial<MfaDeps> = {}) {
      const { config, accounts } = r.registry;
      return wireMfa({
        store: r.registry.store,
        clock,
        key: loadSecretKey(config.mfaSecretKey, config.dataDir),
        guard,
        screen: { isLeaked: async (password) => password === leaked },
        checkPassword: async (user, password, context) => void (await accounts.checkPassword(user.name, password, context)),
        setPassword: (user, password) => accounts.setPassword(user, password),
        issuer: () => 'registry.test',
        newFactors: 'any',
        policy: { required: true, graceDays: 0 },
        ...overrides,
      });
    }

    async function userWithContext(name: string): Promise<{ user: TestUser; context: RequestContext }> {
      const user = await r.createUser(name);
      return { user, context: tokenContext(await r.registry.tokens.authenticate(user.token)) };
    }

    const withOtp = (context: RequestContext, otp: string | undefined): RequestContext => ({ ...context, otp });

    /** Enrols `name` in TOTP; returns the secret from the otpauth URL and the recovery codes. */
    async function enrolled(name: string, level: 'auth-only' | 'auth-and-writes' = 'auth-and-writes') {
      const { user, context } = await userWithContext(name);
      const started = await mfa.mfa.enable(user.user, context, user.password, level);
      if (!('otpauthUrl' in started)) throw new Error('expected an otpauth URL');
      const secret = new URL(started.otpauthUrl).searchParams.get('secret') as TotpSecret;
      const recovery = await mfa.mfa.confirm(user.user, context, codeAt(secret, clock.now()));
      return { user, context, secret, recovery };
    }

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock } });
      mfa = domain();
    });
    afterAll(() => r.close());

    it('is no second factor until the first code confirms it, and then returns ten recovery codes', async () => {
      const { user, context } = await userWithContext('pending');
      expect(await codeOf(mfa.mfa.enable(user.user, context, 'wrong password', 'auth-and-writes'))).toBe('BadCredentials');
      expect(await mfa.mfa.status(user.user)).toBeNull();
      const started = await mfa.mfa.enable(user.user, context, user.password, 'auth-and-writes');
      if (!('otpauthUrl' in started)) throw new Error('expected an otpauth URL');
      const url = new URL(started.otpauthUrl);
      const secret = url.searchParams.get('secret') as TotpSecret;
      expect(decodeURIComponent(url.pathname)).toContain('pending');
      expect(await mfa.mfa.status(user.user)).toEqual({ pending: true, mode: 'auth-and-writes' });
      expect(await mfa.secondFactor.required(user.user, 'writes')).toBe(false);

      expect(await codeOf(mfa.mfa.confirm(user.user, context, codeAt(secret, clock.now() + 2 * STEP)))).toBe('OtpInvalid');
      const codes = await mfa.mfa.confirm(user.user, context, codeAt(secret, clock.now()));
      expect(codes).toHaveLength(10);
      expect(await mfa.mfa.status(user.user)).toEqual({ pending: false, mode: 'auth-and-writes' });
      expect(await mfa.secondFactor.required(user.user, 'writes')).toBe(true);
      expect(await mfa.secondFactor.required(user.user, 'auth')).toBe(true);
      expect(await codeOf(mfa.mfa.confirm(user.user, context, codeAt(secret, clock.now() + STEP)))).toBe('MfaNotEnabled');

      const events = (await r.registry.store.events.since(0, 1000)).filter(
        (e) => e.actor.kind === 'user' && e.actor.userId === user.user.id,
      );
      expect(events.filter(isEvent('mfa.enabled')).map((e) => e.data)).toMatchObject([
        { method: 'totp', level: 'auth-and-writes' },
      ]);
      expect(events.filter(isEvent('recovery_codes.generated')).map((e) => e.data)).toMatchObject([{ count: 10 }]);
    });

    it('asks auth-only accounts for a code at sign-in but not on writes', async () => {
      const { user } = await enrolled('authonly', 'auth-only');
      expect(await mfa.secondFactor.required(user.user, 'auth')).toBe(true);
      expect(await mfa.secondFactor.required(user.user, 'writes')).toBe(false);
    });

    it('accepts a code from one step either side of now, and nothing further', async () => {
      const { user, context, secret } = await enrolled('window');
      clock.advance(10 * STEP);
      const now = clock.now();
      const verify = (at: number) => codeOf(mfa.secondFactor.verify(user.user, withOtp(context, codeAt(secret, at))));
      expect(await verify(now - 2 * STEP)).toBe('OtpInvalid');
      expect(await verify(now + 2 * STEP)).toBe('OtpInvalid');
      expect(await verify(now - STEP)).toBe('ok');
      expect(await verify(now)).toBe('ok');
      expect(await verify(now + STEP)).toBe('ok');
    });

    it('takes each code once: a replay inside its window, or an older code after a newer one, is refused', async () => {
      const { user, context, secret } = await enrolled('replay');
      clock.advance(10 * STEP);
      const now = clock.now();
      const code = codeAt(secret, now);
      expect(await codeOf(mfa.secondFactor.verify(user.user, withOtp(context, code)))).toBe('ok');
      expect(await codeOf(mfa.secondFactor.verify(user.user, withOtp(context, code)))).toBe('OtpInvalid');
      clock.advance(STEP - 1);
      expect(await codeOf(mfa.secondFactor.verify(user.user, withOtp(context, code)))).toBe('OtpInvalid');
      expect(await codeOf(mfa.secondFactor.verify(user.user, withOtp(context, codeAt(secret, now - STEP))))).toBe('OtpInvalid');
      expect(await codeOf(mfa.secondFactor.verify(user.user, withOtp(context, codeAt(secret, now + STEP))))).toBe('ok');
    });

    it('lets only one of many racing requests with the same code through', async () => {
      const { user, context, secret } = await enrolled('race');
      clock.advance(10 * STEP);
      const code = codeAt(secret, clock.now());
      const results = await Promise.all(
        Array.from({ length: 8 }, () => codeOf(mfa.secondFactor.verify(user.user, withOtp(context, code)))),
      );
      expect(results.filter((c) => c === 'ok')).toHaveLength(1);
      expect(results.filter((c) => c === 'OtpInvalid')).toHaveLength(7);
    });

    it('asks for a code when none is given, and refuses malformed ones like wrong ones', async () => {
      const { user, context } = await enrolled('missing');
      try {
        await mfa.secondFactor.verify(user.user, withOtp(context, undefined));
        expect.unreachable('verify without a code passed');
      } catch (err) {
        expect(isGatehouseError(err) && [err.code, err.headers['www-authenticate']]).toEqual(['OtpRequired', 'OTP']);
      }
      for (const bad of ['1234567', '12345678', 'abcdef', '123 456']) {
        expect(await codeOf(mfa.secondFactor.verify(user.user, context, bad)), bad).toBe('OtpInvalid');
      }
    });

    it('takes each recovery code once, with an event counting what is left; regenerating replaces them all', async () => {
      const { user, context, recovery } = await enrolled('recovery');
      const [first, second] = recovery as [string, string];
      expect(await codeOf(mfa.secondFactor.verify(user.user, context, first))).toBe('ok');
      expect(await codeOf(mfa.secondFactor.verify(user.user, context, first))).toBe('OtpInvalid');
      expect(await codeOf(mfa.secondFactor.verify(user.user, context, first.toUpperCase()))).toBe('OtpInvalid');
      const used = (await r.registry.store.events.since(0, 1000)).filter(isEvent('recovery_code.used'));
      expect(used.filter((e) => e.actor.kind === 'user' && e.actor.userId === user.user.id).map((e) => e.data)).toMatchObject([
        { remaining: 9 },
      ]);

      const fresh = await mfa.mfa.regenerateRecoveryCodes(user.user, context, second);
      expect(fresh).toHaveLength(10);
      expect(fresh).not.toContain(second);
      expect(await codeOf(mfa.secondFactor.verify(user.user, context, recovery[2]))).toBe('OtpInvalid');
      expect(await codeOf(mfa.secondFactor.verify(user.user, context, fresh[0]))).toBe('ok');
    });

    it('tells the guess guard before and after every code check, naming the kind of secret', async () => {
      const { user, context, secret, recovery } = await enrolled('guarded');
      clock.advance(10 * STEP);
      guard.seen.length = 0;
      await codeOf(mfa.secondFactor.verify(user.user, context, '000000'));
      await codeOf(mfa.secondFactor.verify(user.user, context, codeAt(secret, clock.now())));
      await codeOf(mfa.secondFactor.verify(user.user, context, recovery[0]));
      expect(guard.seen).toEqual([
        'before otp guarded',
        expect.stringMatching(/^(failed|succeeded) otp$/),
        'before otp guarded',
        'succeeded otp',
        'before recovery-code guarded',
        'succeeded recovery-code',
      ]);
    });

    it('stops checking codes when the guard refuses, before comparing anything', async () => {
      const { user, context, secret } = await enrolled('locked');
      clock.advance(10 * STEP);
      const locked = domain({
        guard: {
          before: async () => {
            throw Object.assign(new Error('locked'), { locked: true });
          },
          failed: async () => undefined,
          succeeded: async () => undefined,
        },
      });
      const code = codeAt(secret, clock.now());
      await expect(locked.secondFactor.verify(user.user, context, code)).rejects.toMatchObject({ locked: true });
      // The code was not spent by the refused attempt.
      expect(await codeOf(mfa.secondFactor.verify(user.user, context, code))).toBe('ok');
    });

    it('disables only with the password and a valid code, removing the recovery codes too', async () => {
      const { user, context, secret, recovery } = await enrolled('disable');
      clock.advance(10 * STEP);
      expect(await codeOf(mfa.mfa.disable(user.user, withOtp(context, undefined), user.password))).toBe('OtpRequired');
      expect(await codeOf(mfa.mfa.disable(user.user, withOtp(context, '000000'), 'wrong password'))).toBe('BadCredentials');
      expect(await mfa.mfa.status(user.user)).toEqual({ pending: false, mode: 'auth-and-writes' });
      await mfa.mfa.disable(user.user, withOtp(context, codeAt(secret, clock.now())), user.password);
      expect(await mfa.mfa.status(user.user)).toBeNull();
      expect(await mfa.secondFactor.required(user.user, 'auth')).toBe(false);
      expect(await r.registry.store.mfa.unusedRecoveryCodes(user.user.id)).toBe(0);
      expect(recovery).toHaveLength(10);
      const disabled = (await r.registry.store.events.since(0, 1000)).filter(isEvent('mfa.disabled'));
      expect(disabled.filter((e) => e.actor.kind === 'user' && e.actor.userId === user.user.id).map((e) => e.data)).toMatchObject(
        [{ method: 'totp' }],
      );
    });

    it('refuses a new TOTP set-up under webauthn-only, while an existing one keeps working', async () => {
      const { user, context, secret } = await enrolled('existing');
      const strict = domain({ newFactors: 'webauthn-only' });
      const { user: other, context: otherContext } = await userWithContext('newcomer');
      expect(await codeOf(strict.mfa.enable(other.user, otherContext, other.password, 'auth-and-writes'))).toBe(
        'MfaFactorNotAllowed',
      );
      expect(await strict.mfa.status(other.user)).toBeNull();
      clock.advance(10 * STEP);
      expect(await codeOf(strict.secondFactor.verify(user.user, context, codeAt(secret, clock.now())))).toBe('ok');
    });

    it('changes the password only after the old one and a code, refusing a leaked new one', async () => {
      const { user, context, secret } = await enrolled('changer');
      clock.advance(10 * STEP);
      const change = (old: string, next: string, otp?: string) =>
        codeOf(mfa.profile.update(withOtp(context, otp), { password: { old, new: next } }));
      expect(await change('wrong password', 'a brand new passphrase')).toBe('BadCredentials');
      expect(await change(user.password, leaked, codeAt(secret, clock.now()))).toBe('PasswordLeaked');
      expect(await change(user.password, 'a brand new passphrase')).toBe('OtpRequired');
      expect(await change(user.password, 'a brand new passphrase', codeAt(secret, clock.now()))).toBe('ok');
      expect(
        await codeOf(r.registry.accounts.checkPassword('changer', 'a brand new passphrase', { clientIp: '127.0.0.1' })),
      ).toBe('ok');
      expect(await codeOf(r.registry.accounts.checkPassword('changer', user.password, { clientIp: '127.0.0.1' }))).toBe(
        'BadCredentials',
      );
      const changed = (await r.registry.store.events.since(0, 1000)).filter(isEvent('password.changed'));
      expect(changed.map((e) => e.data)).toMatchObject([{ via: 'change' }]);
    });

    it('never writes a TOTP secret or a recovery code into a table or an event', async () => {
      const { secret, recovery } = await enrolled('sweep');
      const dump = await tableDump(r);
      expect(dump).toContain('recovery_codes.generated');
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(secret.slice(0, 16));
      for (const code of recovery) {
        expect(dump).not.toContain(code);
        expect(dump).not.toContain(code.replace('-', ''));
      }
    });
  });
}

/** Every row of every table, read over a connection of its own, as text. */
async function tableDump(r: TestRegistry): Promise<string> {
  const { db } = await openDatabase(r.registry.config);
  try {
    const tables = await db.introspection.getTables();
    const rows = await Promise.all(
      tables.map((t) => sql`select * from ${sql.table(t.name)}`.execute(db).then((res) => res.rows)),
    );
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['mfa_totp', 'mfa_recovery_codes']));
    return JSON.stringify(rows);
  } finally {
    await db.destroy();
  }
}
