// npm's web login in the domain, on both engines, with an injected clock: a login is approved
// only by a person signed in on the web, once (even when two approvals race), with the second
// factor when the account has one; it remembers who started it, expires and is purged, and one
// address can hold only a few open. The token it hands out is a session token that expires.
// Refusals leave no trace.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, freshStore, type TestStore } from '../../support/engines.js';
import type { User } from '../../../src/domain/accounts/store.js';
import { TokenService } from '../../../src/domain/tokens/service.js';
import { AccountService } from '../../../src/domain/accounts/service.js';
import { PasswordGate } from '../../../src/domain/accounts/password-gate.js';
import { WEB_LOGIN_TTL_MS, WebLoginService } from '../../../src/domain/accounts/web-login.js';
import { ANONYMOUS_CONTEXT, codeOf, contextOf } from '../../support/context.js';
import type { RequestContext } from '../../../src/domain/access/context.js';
import type { SecondFactor } from '../../../src/domain/access/second-factor.js';
import { fail, isGatehouseError } from '../../../src/domain/errors.js';

const CLI = { ip: '192.0.2.10', userAgent: 'npm/11.6.0 node/v20.19.0 linux x64 workspaces/false' };

/** A browser signed in as `user` (the HTTP edge builds this from the session cookie). */
function signedIn(user: User): RequestContext {
  return contextOf({ kind: 'session', user, session: { id: `s-${user.id}`, expiresAt: new Date('2100-01-01T00:00:00Z') } });
}

// The SecondFactor contract as the web login relies on it (domain/mfa implements it for real):
// required for the users named here, and passed by the code '246810' only.
const TWO_FACTOR_CODE = '246810';
function secondFactorFor(names: Set<string>): SecondFactor {
  return {
    required: async (user) => names.has(user.name),
    verify: async (_user, _context, code) => {
      if (code !== TWO_FACTOR_CODE) fail('Unauthenticated', 'A one-time code is needed.');
    },
  };
}

for (const engine of ENGINES) {
  describe(`web login sessions (${engine})`, () => {
    let t: TestStore;
    let clock: Date;
    let accounts: AccountService;
    let webLogins: WebLoginService;
    let alice: User;
    let mallory: User;
    const PASSWORDS = { alice: 'alice-correct-horse', mallory: 'mallory-correct-horse' };

    const rows = () => t.db.selectFrom('web_logins').selectAll().orderBy('created_at').execute();
    const eventCount = async () => (await t.store.events.since(0, 10_000)).length;
    const tokenCount = async () => (await t.db.selectFrom('tokens').select('id').execute()).length;

    beforeAll(async () => {
      t = await freshStore(engine);
      clock = new Date('2030-01-01T00:00:00.000Z');
      const time = { now: () => clock.getTime() };
      const tokens = new TokenService(t.store, time);
      accounts = new AccountService({ store: t.store, tokens, gate: new PasswordGate(2), clock: time });
      webLogins = new WebLoginService({
        store: t.store,
        tokens,
        pendingPerIp: 3,
        clock: time,
        secondFactor: secondFactorFor(new Set(['mfa-user'])),
      });
      alice = await accounts.createUser({ name: 'alice', email: 'alice@example.com', password: PASSWORDS.alice, isAdmin: false });
      mallory = await accounts.createUser({
        name: 'mallory',
        email: 'mallory@example.com',
        password: PASSWORDS.mallory,
        isAdmin: false,
      });
    });
    afterAll(() => t.dispose());
    beforeEach(async () => {
      // Each test starts with no sessions and a clock far past every earlier one.
      clock = new Date(clock.getTime() + 24 * 60 * 60 * 1000);
      await t.db.deleteFrom('web_logins').execute();
    });

    it('remembers the address and User-Agent that started the login, and when', async () => {
      const { id } = await webLogins.start(CLI);
      const login = await webLogins.pending(id);
      expect(login.requestedBy).toEqual(CLI);
      expect(login.createdAt).toBe(clock.toISOString());
    });

    it('keeps control characters and excess length of a User-Agent out of what it stores', async () => {
      const { id } = await webLogins.start({ ip: CLI.ip, userAgent: `npm\r\nFake: header\u0000${'x'.repeat(5000)}` });
      const { userAgent } = (await webLogins.pending(id)).requestedBy;
      expect(userAgent).not.toMatch(/[\u0000-\u001f]/);
      expect(userAgent.startsWith('npm  Fake: header ')).toBe(true);
      expect(userAgent.length).toBeLessThanOrEqual(200);
    });

    it('approves a login once: a second sign-in is refused and the CLI gets the first account', async () => {
      const { id, doneSecret } = await webLogins.start(CLI);
      expect((await webLogins.approve(signedIn(alice), id)).id).toBe(alice.id);
      const [events, tokens, before] = [await eventCount(), await tokenCount(), await rows()];
      expect(await codeOf(webLogins.approve(signedIn(mallory), id))).toBe('WebLoginAlreadyApproved');
      expect(await codeOf(webLogins.pending(id))).toBe('WebLoginAlreadyApproved');
      expect([await eventCount(), await tokenCount(), await rows()]).toEqual([events, tokens, before]);
      const token = await webLogins.poll(doneSecret);
      const found = await new TokenService(t.store, { now: () => clock.getTime() }).authenticate(token!);
      expect(found?.user.id).toBe(alice.id);
    });

    it('lets exactly one of two racing sign-ins on the same link win', async () => {
      const { id, doneSecret } = await webLogins.start(CLI);
      const events = await eventCount();
      const results = await Promise.all([
        codeOf(webLogins.approve(signedIn(alice), id)),
        codeOf(webLogins.approve(signedIn(mallory), id)),
      ]);
      expect(results.sort()).toEqual(['WebLoginAlreadyApproved', 'resolved']);
      expect(await eventCount()).toBe(events + 1);
      const [row] = await rows();
      const token = await webLogins.poll(doneSecret);
      const found = await new TokenService(t.store, { now: () => clock.getTime() }).authenticate(token!);
      expect(found?.user.id).toBe(Number(row!.user_id));
      expect([alice.id, mallory.id]).toContain(found?.user.id);
    });

    it('approves nothing for a visitor who is not signed in, or for an API token', async () => {
      const { id } = await webLogins.start(CLI);
      const events = await eventCount();
      expect(await codeOf(webLogins.approve(ANONYMOUS_CONTEXT, id))).toBe('Unauthenticated');
      const issued = await t.store.transaction((tx) => new TokenService(t.store).create(tx, alice, { reason: 'test' }));
      const viaToken = contextOf({ kind: 'user', user: alice, token: issued.record });
      expect(await codeOf(webLogins.approve(viaToken, id))).toBe('PrincipalNotSupported');
      expect((await rows())[0]?.user_id).toBeNull();
      expect(await eventCount()).toBe(events + 1); // the token.created above, nothing from the refusals
      expect((await webLogins.approve(signedIn(alice), id)).id).toBe(alice.id);
    });

    it('asks for the second factor when the account has one: no code or a wrong one approves nothing', async () => {
      const mfaUser = await accounts.createUser({
        name: 'mfa-user',
        email: 'mfa@example.com',
        password: 'mfa-user-correct-horse',
        isAdmin: false,
      });
      const { id, doneSecret } = await webLogins.start(CLI);
      expect(await webLogins.asksSecondFactor(mfaUser)).toBe(true);
      expect(await webLogins.asksSecondFactor(alice)).toBe(false);
      const events = await eventCount();
      expect(await codeOf(webLogins.approve(signedIn(mfaUser), id))).toBe('Unauthenticated');
      expect(await codeOf(webLogins.approve(signedIn(mfaUser), id, '000000'))).toBe('Unauthenticated');
      expect(await eventCount()).toBe(events);
      expect(await webLogins.poll(doneSecret)).toBeUndefined();
      expect((await webLogins.approve(signedIn(mfaUser), id, TWO_FACTOR_CODE)).id).toBe(mfaUser.id);
      expect(await webLogins.poll(doneSecret)).toMatch(/^gth_/);
    });

    it('hands out a session token that expires after the login token lifetime', async () => {
      const { id, doneSecret } = await webLogins.start(CLI);
      await webLogins.approve(signedIn(alice), id);
      const token = await webLogins.poll(doneSecret);
      const time = { now: () => clock.getTime() };
      const found = await new TokenService(t.store, time).authenticate(token!);
      expect(found?.token.kind).toBe('session');
      expect(Date.parse(found!.token.expiresAt!) - clock.getTime()).toBe(12 * 60 * 60 * 1000);
      clock = new Date(clock.getTime() + 12 * 60 * 60 * 1000);
      expect(await new TokenService(t.store, time).authenticate(token!)).toBeUndefined();
    });

    it('expires a login: neither the page, a sign-in nor the poll can use it after ten minutes', async () => {
      const { id, doneSecret } = await webLogins.start(CLI);
      clock = new Date(clock.getTime() + WEB_LOGIN_TTL_MS);
      expect(await codeOf(webLogins.pending(id))).toBe('WebLoginNotFound');
      expect(await codeOf(webLogins.approve(signedIn(alice), id))).toBe('WebLoginNotFound');
      expect(await codeOf(webLogins.poll(doneSecret))).toBe('WebLoginNotFound');
    });

    it('refuses to hand out a token for an approved login once it expired', async () => {
      const { id, doneSecret } = await webLogins.start(CLI);
      await webLogins.approve(signedIn(alice), id);
      const tokens = await tokenCount();
      clock = new Date(clock.getTime() + WEB_LOGIN_TTL_MS);
      expect(await codeOf(webLogins.poll(doneSecret))).toBe('WebLoginNotFound');
      expect(await tokenCount()).toBe(tokens);
    });

    it('purges expired logins when a new one is opened', async () => {
      await webLogins.start(CLI);
      const { id: approved } = await webLogins.start({ ...CLI, ip: '192.0.2.11' });
      await webLogins.approve(signedIn(alice), approved);
      expect(await rows()).toHaveLength(2);
      clock = new Date(clock.getTime() + WEB_LOGIN_TTL_MS + 1);
      const { id } = await webLogins.start({ ...CLI, ip: '198.51.100.7' });
      expect((await rows()).map((r) => r.id)).toEqual([id]);
    });

    it('bounds unfinished logins per address with 429 and Retry-After, and leaves no row', async () => {
      const opened = [];
      for (let i = 0; i < 3; i++) opened.push(await webLogins.start(CLI));
      const before = await rows();
      const refused = await webLogins.start(CLI).catch((err: unknown) => err);
      expect(isGatehouseError(refused) && refused.code).toBe('TooManyPendingLogins');
      expect(isGatehouseError(refused) && refused.status).toBe(429);
      // The oldest one frees a place when it expires, ten minutes from now.
      expect(isGatehouseError(refused) && refused.headers['retry-after']).toBe(String(WEB_LOGIN_TTL_MS / 1000));
      expect(await rows()).toEqual(before);
      // Another address is not affected; finishing one frees a place for this one.
      await webLogins.start({ ...CLI, ip: '198.51.100.7' });
      await webLogins.approve(signedIn(alice), opened[0]!.id);
      await webLogins.start(CLI);
    });

    it('holds the per-address bound when many logins are opened at once', async () => {
      const results = await Promise.all(Array.from({ length: 12 }, () => codeOf(webLogins.start(CLI))));
      expect(results.filter((r) => r === 'resolved')).toHaveLength(3);
      expect(results.filter((r) => r === 'TooManyPendingLogins')).toHaveLength(9);
      expect(await rows()).toHaveLength(3);
    });
  });
}
