// The stock npm 11 against the brute-force guard, on both engines: `npm login --auth-type=legacy`
// for a locked account, and from a locked address, gets 429 with Retry-After. npm retries a 429
// PUT itself (make-fetch-happen: twice, 10 s then 60 s by default, Retry-After unread); the test
// shortens those waits with npm's own settings, then asserts what the person sees: exit code,
// the E429 line with our message, and no token saved; and the same PUT's status and Retry-After.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { ManualClock } from '../../src/domain/clock.js';
import { answerPrompts, savedToken } from './login-helpers.js';
import { createWorkspace, removeWorkspace, skipWithout, type Workspace } from './clients.js';

const client = 'npm11';
// npm's retry settings, short: the same two retries, without a minute's wait.
const QUICK_RETRIES = ['--fetch-retries=2', '--fetch-retry-mintimeout=50', '--fetch-retry-maxtimeout=100'];

for (const engine of ENGINES) {
  describe.skipIf(skipWithout(client))(`${client} login against a lock (${engine})`, () => {
    const clock = new ManualClock('2031-06-01T08:00:00.000Z');
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    const workspaces: Workspace[] = [];

    beforeAll(async () => {
      // The address rule lower than by default, so a few guesses lock 127.0.0.1, where npm runs.
      r = await startRegistry(engine, {
        listen: true,
        deps: { clock },
        config: { guessAddressBackoffAfter: 8, guessAddressLockAfter: 12 },
      });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
    });
    afterAll(async () => {
      await Promise.all(workspaces.map(removeWorkspace));
      await r?.close();
    });

    const guess = (name: string, remoteAddress: string) =>
      r.inject({
        method: 'PUT',
        url: `/-/user/org.couchdb.user:${name}`,
        headers: { 'content-type': 'application/json' },
        remoteAddress,
        payload: { _id: `org.couchdb.user:${name}`, name, password: 'a-wrong-guess', type: 'user', roles: [] },
      });

    async function npmLogin(user: TestUser) {
      const ws = await createWorkspace({ registry: r.url, client });
      workspaces.push(ws);
      const login = await answerPrompts(client, ['login', '--auth-type=legacy', ...QUICK_RETRIES], ws, [
        [/Username: $/, `${user.user.name}\n`],
        [/Password: $/, `${user.password}\n`],
      ]);
      return { login, saved: await savedToken(ws, r.url) };
    }
    /** The same PUT npm sent, over the socket: the status and Retry-After npm got. */
    async function answerTo(user: TestUser) {
      const name = user.user.name;
      const res = await fetch(`${r.url}/-/user/org.couchdb.user:${name}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password: user.password, type: 'user', roles: [] }),
      });
      return {
        status: res.status,
        retryAfter: Number(res.headers.get('retry-after')),
        code: ((await res.json()) as { code: string }).code,
      };
    }

    it('a locked account: npm exits non-zero with E429 and the lock message, and saves no token', async () => {
      // Ten wrong passwords for alice, each from its own address a minute apart: the account locks.
      for (let i = 0; i < 10; i++) {
        expect((await guess('alice', `198.51.100.${i + 1}`)).statusCode).toBe(401);
        clock.advance(60_000);
      }
      const { login, saved } = await npmLogin(alice);
      expect(login.code, login.stdout + login.stderr).not.toBe(0);
      expect(login.stderr).toContain('npm error code E429');
      expect(login.stderr).toMatch(
        /429 Too Many Requests - PUT .*org\.couchdb\.user:alice - Too many failed attempts: trying again is locked for \d+ minutes/,
      );
      expect(saved).toBeUndefined();
      const answer = await answerTo(alice);
      expect([answer.status, answer.code]).toEqual([429, 'TooManyAttempts']);
      expect(answer.retryAfter).toBeGreaterThan(60);
    });

    it('a locked address: the right password from it gets the same 429', async () => {
      for (let i = 0; i < 12; i++) {
        await guess(`nobody-${i}`, '127.0.0.1');
        clock.advance(60_000);
      }
      const { login, saved } = await npmLogin(bob);
      expect(login.code).not.toBe(0);
      expect(login.stderr).toContain('npm error code E429');
      expect(login.stderr).toMatch(/Too many failed attempts: trying again is locked for \d+ minutes/);
      expect(saved).toBeUndefined();
      const answer = await answerTo(bob);
      expect([answer.status, answer.code]).toEqual([429, 'TooManyAttempts']);
      expect(answer.retryAfter).toBeGreaterThan(60);
    });
  });
}
