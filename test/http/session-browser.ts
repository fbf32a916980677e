// A browser as the HTTP tests see one: it signs in through the /login form, keeps the session
// cookie it was given, and reads the CSRF token from the pages it is shown, as Chromium would.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TestRegistry, TestUser } from '../support/registry.js';

const FORM = 'application/x-www-form-urlencoded';

export interface TestBrowser {
  /** The Cookie header this browser sends; empty before sign-in. */
  cookie: string;
  get(url: string): Promise<LightMyRequestResponse>;
  /** Posts a form (fields URL-encoded), with the session cookie and no CSRF field unless given. */
  post(url: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** The CSRF token on the account page. */
  csrf(): Promise<string>;
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** The cookie a Set-Cookie header sets, as name=value. */
export function cookieOf(res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie'];
  const first = Array.isArray(header) ? header[0] : header;
  return (first ?? '').split(';')[0] ?? '';
}

export function csrfOf(page: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error('no CSRF field on the page');
  return token;
}

export function browser(r: TestRegistry, cookie = ''): TestBrowser {
  const b: TestBrowser = {
    cookie,
    get: (url) => r.inject({ method: 'GET', url, headers: { accept: 'text/html', ...(b.cookie ? { cookie: b.cookie } : {}) } }),
    post: (url, fields, headers = {}) =>
      r.inject({
        method: 'POST',
        url,
        headers: { accept: 'text/html', 'content-type': FORM, ...(b.cookie ? { cookie: b.cookie } : {}), ...headers },
        payload: form(fields),
      }),
    async csrf() {
      const page = await b.get('/account');
      expect(page.statusCode).toBe(200);
      return csrfOf(page.body);
    },
  };
  return b;
}

/** Signs `user` in through the /login form and returns the browser holding the new cookie. */
export async function signedInBrowser(r: TestRegistry, user: TestUser): Promise<TestBrowser> {
  const b = browser(r);
  const res = await b.post('/login', { username: user.user.name, password: user.password });
  expect(res.statusCode, res.body).toBe(303);
  b.cookie = cookieOf(res);
  expect(b.cookie).toMatch(/^gatehouse_session=./);
  return b;
}
