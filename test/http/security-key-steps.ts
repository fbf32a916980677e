// The steps a browser takes with a security key, over HTTP, for the tests: registering a software
// authenticator's key through the account page, and the password step that leads to the key step.
import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { TestRegistry, TestUser } from '../support/registry.js';
import { challengeOf, SoftwareAuthenticator } from '../support/software-authenticator.js';
import { browser, csrfOf, type TestBrowser } from './session-browser.js';

/** A software key for this registry's relying party (its public URL). */
export function softwareKey(r: TestRegistry): SoftwareAuthenticator {
  const url = new URL(r.registry.baseUrl());
  return new SoftwareAuthenticator({ id: url.hostname, origin: url.origin });
}

/** Adds `key` to the account `b` is signed in as, through the account page's form. */
export async function registerKey(b: TestBrowser, key: SoftwareAuthenticator): Promise<void> {
  const page = await b.get('/account/keys/new');
  expect(page.statusCode).toBe(200);
  const res = await b.post('/account/keys', {
    _csrf: csrfOf(page.body),
    name: 'Desk key',
    webauthn: key.register({ challenge: challengeOf(page.body) }),
  });
  expect(res.statusCode, res.body).toBe(303);
}

/** The password step of an account with a key: no session yet, the key step's challenge. */
export async function keyStep(r: TestRegistry, user: TestUser): Promise<string> {
  const res = await browser(r).post('/login', { username: user.user.name, password: user.password, next: '/account' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['set-cookie']).toBeUndefined();
  return challengeOf(res.body);
}

/** The links of npm's browser approval in a refused write: 401, `WWW-Authenticate: OTP`, authUrl and doneUrl. */
export function approvalLinks(refusal: LightMyRequestResponse): { page: string; done: string } {
  expect(refusal.statusCode, refusal.body).toBe(401);
  expect(refusal.headers['www-authenticate']).toBe('OTP');
  const { authUrl, doneUrl, code } = refusal.json<{ authUrl: string; doneUrl: string; code: string }>();
  expect(code).toBe('OtpRequired');
  return { page: new URL(authUrl).pathname, done: new URL(doneUrl).pathname };
}

/** Polls doneUrl as npm does, with the account's token. */
export function pollApproval(r: TestRegistry, done: string, token: string): Promise<LightMyRequestResponse> {
  return r.inject({ method: 'GET', url: done, headers: { authorization: `Bearer ${token}` } });
}

/**
 * What npm and its user do after a write is refused for a key's approval: the signed-in browser
 * `b` opens authUrl and the key answers its challenge; npm's poll then collects the code it
 * resends the write with (returned).
 */
export async function approveWrite(
  r: TestRegistry,
  b: TestBrowser,
  key: SoftwareAuthenticator,
  refusal: LightMyRequestResponse,
  user: TestUser,
): Promise<string> {
  const { page, done } = approvalLinks(refusal);
  const shown = await b.get(page);
  expect(shown.statusCode, shown.body).toBe(200);
  const approved = await b.post(page, {
    _csrf: csrfOf(shown.body),
    webauthn: key.assert({ challenge: challengeOf(shown.body) }),
  });
  expect(approved.statusCode, approved.body).toBe(200);
  const collected = await pollApproval(r, done, user.token);
  expect(collected.statusCode, collected.body).toBe(200);
  return collected.json<{ token: string }>().token;
}
