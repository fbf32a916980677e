// The steps a browser takes with a security key, over HTTP, for the tests: registering a software
// authenticator's key through the account page, and the password step that leads to the key step.
import { expect } from 'vitest';
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
