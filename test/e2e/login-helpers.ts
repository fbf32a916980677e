// Logging a real npm in, for the end-to-end tests: typing answers at npm's prompts, completing the
// web flow in Chromium, and reading the token npm saved. Shared by the npm 11 and npm 12 login tests.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchBrowser } from '../web/browser.js';
import { addAuthenticator } from '../web/authenticator.js';
import { CLIENTS, RunError, start, type ClientName, type ClientResult, type RunningClient, type Workspace } from './clients.js';

/**
 * Runs a client that prompts, typing each answer once its prompt is on stdout. npm's `read` opens a
 * fresh readline per prompt and the first one swallows everything already piped in, so answers
 * written up front are lost ("Username: Password: " then exit 1): each must wait for its prompt.
 */
export function answerPrompts(
  client: ClientName,
  args: string[],
  ws: Workspace,
  answers: [RegExp, string][],
): Promise<ClientResult> {
  const [file, ...lead] = CLIENTS[client].command();
  if (file === undefined) throw new Error(`no command for ${client}`);
  const env = { ...ws.env, PATH: [dirname(CLIENTS[client].node), ws.env.PATH].join(delimiter) };
  const child = spawn(file, [...lead, ...args], { cwd: ws.dir, env, stdio: 'pipe' });
  const out = { stdout: '', stderr: '' };
  const pending = [...answers];
  let unanswered = ''; // stdout since the last answer
  const started = Date.now();
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.stdin.on('error', () => {});
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out.stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out.stdout += chunk;
    unanswered += chunk;
    const next = pending[0];
    if (next && next[0].test(unanswered)) {
      pending.shift();
      unanswered = '';
      child.stdin.write(next[1]);
      if (pending.length === 0) child.stdin.end();
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? 128, ...out, durationMs: Date.now() - started };
      if (signal !== null) reject(new RunError(`${client} ${args.join(' ')} was killed by ${signal}`, result));
      else resolve(result);
    });
  });
}

export function legacyLogin(client: ClientName, ws: Workspace, user: string, password: string): Promise<ClientResult> {
  return answerPrompts(client, ['login', '--auth-type=legacy'], ws, [
    [/Username: $/, `${user}\n`],
    [/Password: $/, `${password}\n`],
  ]);
}

/** The token npm saved for the registry in ~/.npmrc, if any. */
export async function savedToken(ws: Workspace, registry: string): Promise<string | undefined> {
  const npmrc = await readFile(join(ws.home, '.npmrc'), 'utf8');
  const key = `//${new URL(registry).host}/:_authToken=`;
  return npmrc
    .split('\n')
    .find((line) => line.startsWith(key))
    ?.slice(key.length);
}

/** Fills in and submits the sign-in page that `npm login` (web) printed, as a person would. */
export async function signInOnPage(page: Page, user: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/**
 * Approves the login on the page shown after sign-in (it names the client that asked), as a
 * person who recognises their own terminal does; signing in alone approves nothing.
 */
export async function approveOnPage(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Approve' }).click();
}

/** What the page says once the login was approved. */
export async function signedInText(page: Page): Promise<string> {
  const signedIn = page.getByText(/the terminal is now signed in as/);
  await signedIn.waitFor();
  return signedIn.innerText();
}

/**
 * `<client> login` with the web flow, as a person completes it: opens the URL npm prints in
 * Chromium, lets `before` act on the page first (wrong passwords, say), signs in as `user`,
 * presses Approve, and returns what npm printed once it got its token and exited successfully.
 */
export async function webLogin(
  client: ClientName,
  ws: Workspace,
  registry: string,
  user: { name: string; password: string },
  before?: (page: Page, npm: RunningClient) => Promise<void>,
): Promise<ClientResult> {
  const npm = start(client, ['login'], ws, { timeoutMs: 90_000 });
  const [, loginUrl = ''] = await npm.waitFor(/Login at:\n(\S+)/);
  expect(loginUrl.startsWith(`${registry}/login/cli/`), loginUrl).toBe(true);
  const browser = await launchBrowser();
  try {
    const { page } = await browser.newPage();
    await page.goto(loginUrl);
    await before?.(page, npm);
    await signInOnPage(page, user.name, user.password);
    await approveOnPage(page);
    expect(await signedInText(page)).toContain(`the terminal is now signed in as ${user.name}`);
  } finally {
    await browser.close();
  }
  const result = await npm.done;
  expect(result.code, result.stdout + result.stderr).toBe(0);
  expect(result.stdout).toContain(`Logged in on ${registry}/.`);
  return result;
}

/**
 * Gives the browser `page` a virtual security key and registers it to `user` on the account page,
 * as a person does: sign in, then "Register key". The browser stays signed in.
 */
export async function registerKeyOnPage(page: Page, base: string, user: string, password: string): Promise<void> {
  await addAuthenticator(page, 'usb-key');
  await page.goto(`${base}/login?next=/account/keys/new`);
  await signInOnPage(page, user, password);
  await page.getByRole('button', { name: 'Register key' }).click();
  await page.waitForURL(`${base}/account#security-keys`);
}
