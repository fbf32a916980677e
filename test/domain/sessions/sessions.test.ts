// Web sessions in the domain, on both engines, with a ManualClock: signing in stores only a hash
// of the cookie's secret; a session ends after 30 idle minutes or 12 hours however active; rotation
// gives a new id and secret and kills the old cookie without extending the session; sign-out and
// revoke end it once, with an event; refusals change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, freshStore, type TestStore } from '../../support/engines.js';
import { ANONYMOUS_CONTEXT, codeOf, contextOf } from '../../support/context.js';
import { ManualClock } from '../../../src/domain/clock.js';
import { TokenService } from '../../../src/domain/tokens/service.js';
import { AccountService } from '../../../src/domain/accounts/service.js';
import { PasswordGate } from '../../../src/domain/accounts/password-gate.js';
import { wireSessions, type SessionsDomain } from '../../../src/domain/sessions/index.js';
import { NO_SECOND_FACTOR } from '../../../src/domain/access/second-factor.js';
import { hashSessionSecret, type SessionSecret } from '../../../src/domain/sessions/secrets.js';
import { isEvent } from '../../../src/domain/events/store.js';
import type { User } from '../../../src/domain/accounts/store.js';
import type { RequestContext } from '../../../src/domain/access/context.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PASSWORD = 'alice-correct-horse';

for (const engine of ENGINES) {
  describe(`web sessions (${engine})`, () => {
    let t: TestStore;
    let clock: ManualClock;
    let domain: SessionsDomain;
    let alice: User;
    let bob: User;

    const sessionRows = () => t.db.selectFrom('web_sessions').selectAll().execute();
    const events = () => t.store.events.since(0, 10_000);
    /** The context of a request carrying this cookie, as the HTTP edge builds it. */
    async function withCookie(secret: string): Promise<RequestContext> {
      const principal = await domain.sessions.authenticate(secret);
      if (!principal) throw new Error('the cookie names no live session');
      return contextOf(principal);
    }
    const signIn = (context: RequestContext = ANONYMOUS_CONTEXT, name = 'alice', password = PASSWORD) =>
      domain.sessions.signIn(context, name, password);

    beforeAll(async () => {
      t = await freshStore(engine);
      clock = new ManualClock('2030-01-01T00:00:00.000Z');
      const tokens = new TokenService(t.store, clock);
      const accounts = new AccountService({ store: t.store, tokens, gate: new PasswordGate(2), clock });
      domain = wireSessions({
        store: t.store,
        clock,
        accounts,
        tokens,
        secondFactor: NO_SECOND_FACTOR,
        settings: { idleMs: 30 * MINUTE, absoluteMs: 12 * HOUR },
      });
      alice = await accounts.createUser({ name: 'alice', email: 'alice@example.com', password: PASSWORD, isAdmin: false });
      bob = await accounts.createUser({ name: 'bob', email: 'bob@example.com', password: 'bob-correct-horse', isAdmin: false });
    });
    afterAll(() => t.dispose());

    it('signs in with the password and stores only the SHA-256 of the cookie secret', async () => {
      const { secret, user } = await signIn();
      expect(user.id).toBe(alice.id);
      const rows = await sessionRows();
      const row = rows.find((r) => r.secret_hash === hashSessionSecret(secret));
      expect(row).toBeDefined();
      expect(JSON.stringify(rows)).not.toContain(secret);
      expect(JSON.stringify(await events())).not.toContain(secret);
      const created = (await events()).filter(isEvent('session.created')).at(-1);
      expect(created?.data).toEqual({ session: row!.id, via: 'password' });
      const principal = await domain.sessions.authenticate(secret);
      expect(principal?.kind).toBe('session');
      expect(principal?.user.id).toBe(alice.id);
    });

    it('refuses a wrong password and starts no session', async () => {
      const before = [await sessionRows(), await events()];
      expect(await codeOf(signIn(ANONYMOUS_CONTEXT, 'alice', 'wrong-password'))).toBe('BadCredentials');
      expect(await codeOf(signIn(ANONYMOUS_CONTEXT, 'nobody', PASSWORD))).toBe('BadCredentials');
      expect(await codeOf(signIn(ANONYMOUS_CONTEXT, 'alice', 'é'.repeat(513)))).toBe('PasswordTooLong');
      expect([await sessionRows(), await events()]).toEqual(before);
    });

    it('ends a session after 30 idle minutes, but not while it is used', async () => {
      const { secret } = await signIn();
      for (let i = 0; i < 4; i++) {
        clock.advance(29 * MINUTE);
        expect(await domain.sessions.authenticate(secret), `use ${i}`).toBeDefined();
      }
      clock.advance(30 * MINUTE);
      expect(await domain.sessions.authenticate(secret)).toBeUndefined();
      const ended = (await events()).filter(isEvent('session.revoked')).at(-1);
      expect(ended?.data.by).toBe('expiry');
    });

    it('ends a session 12 hours after sign-in however active it is', async () => {
      const { secret } = await signIn();
      const start = clock.now();
      while (clock.now() - start < 12 * HOUR - 20 * MINUTE) {
        clock.advance(20 * MINUTE);
        expect(await domain.sessions.authenticate(secret)).toBeDefined();
      }
      clock.set(start + 12 * HOUR);
      expect(await domain.sessions.authenticate(secret)).toBeUndefined();
    });

    it('rotates: a new id and secret, the old cookie dead, the absolute timeout unchanged', async () => {
      const { secret } = await signIn();
      const before = await withCookie(secret);
      clock.advance(HOUR);
      const rotated = await domain.sessions.rotate(before);
      expect(rotated).not.toBe(secret);
      expect(await domain.sessions.authenticate(secret)).toBeUndefined();
      const after = await domain.sessions.authenticate(rotated);
      expect(after?.session.id).not.toBe((before.principal as { session: { id: string } }).session.id);
      expect(after?.session.expiresAt).toEqual((before.principal as { session: { expiresAt: Date } }).session.expiresAt);
      const ended = (await events()).filter(isEvent('session.revoked')).at(-1);
      expect(ended?.data.by).toBe('rotation');
    });

    it('rotates at sign-in: signing in again ends the session the browser already had', async () => {
      const { secret: planted } = await signIn();
      const { secret } = await signIn(await withCookie(planted));
      expect(await domain.sessions.authenticate(planted)).toBeUndefined();
      expect(await domain.sessions.authenticate(secret)).toBeDefined();
    });

    it('signs out once: the cookie no longer works, and one session.revoked event is written', async () => {
      const { secret } = await signIn();
      const context = await withCookie(secret);
      const count = (await events()).length;
      await domain.sessions.signOut(context);
      expect(await domain.sessions.authenticate(secret)).toBeUndefined();
      const after = await events();
      expect(after.length).toBe(count + 1);
      expect(after.at(-1)).toMatchObject({ type: 'session.revoked', data: { by: 'sign-out' } });
      expect(await codeOf(domain.sessions.signOut(context))).toBe('resolved'); // idempotent, no second event
      expect((await events()).length).toBe(count + 1);
    });

    it('lists live sessions with the current one marked, and revokes another of them', async () => {
      const { secret: phone } = await signIn();
      const { secret: laptop } = await signIn();
      const context = await withCookie(laptop);
      const listed = await domain.sessions.list(context);
      const current = listed.filter((s) => s.current);
      expect(current).toHaveLength(1);
      const other = (await withCookie(phone)).principal as { session: { id: string } };
      expect(listed.map((s) => s.id)).toContain(other.session.id);
      await domain.sessions.revoke(context, other.session.id);
      expect(await domain.sessions.authenticate(phone)).toBeUndefined();
      expect(await domain.sessions.authenticate(laptop)).toBeDefined();
      expect(await codeOf(domain.sessions.revoke(context, other.session.id))).toBe('SessionNotFound');
    });

    it("refuses to revoke someone else's session, and changes nothing", async () => {
      const { secret: bobs } = await signIn(ANONYMOUS_CONTEXT, 'bob', 'bob-correct-horse');
      const bobSession = ((await withCookie(bobs)).principal as { session: { id: string } }).session.id;
      const { secret } = await signIn();
      const before = [await sessionRows(), await events()];
      expect(await codeOf(domain.sessions.revoke(await withCookie(secret), bobSession))).toBe('SessionNotFound');
      expect(await codeOf(domain.sessions.revoke(ANONYMOUS_CONTEXT, bobSession))).toBe('Unauthenticated');
      expect([await sessionRows(), await events()]).toEqual(before);
      expect((await domain.sessions.authenticate(bobs))?.user.id).toBe(bob.id);
    });

    it('ends every session of an account at once (for a password reset)', async () => {
      await signIn(ANONYMOUS_CONTEXT, 'bob', 'bob-correct-horse');
      const { secret } = await signIn(ANONYMOUS_CONTEXT, 'bob', 'bob-correct-horse');
      const ended = await t.store.transaction((tx) => domain.sessions.endAll(tx, bob, 'admin'));
      expect(ended).toBeGreaterThanOrEqual(2);
      expect(await domain.sessions.authenticate(secret)).toBeUndefined();
      expect(await t.store.sessions.live(bob.id, new Date(clock.now()).toISOString())).toEqual([]);
    });

    it('treats a malformed or unknown cookie as no session', async () => {
      for (const cookie of ['', 'x', 'a'.repeat(43), '../../etc/passwd', 'é'.repeat(43)]) {
        expect(await domain.sessions.authenticate(cookie as SessionSecret), cookie).toBeUndefined();
      }
    });
  });
}
