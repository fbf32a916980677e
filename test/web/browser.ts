// Starts Debian's Chromium through playwright-core for the web UI tests: headless, no network
// services of its own, a fresh profile each time. Never downloads a browser. Where Chromium is not
// installed the browser tests are skipped, except in CI (CI=true), where a missing browser fails them.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** True when the browser tests should be skipped: no Chromium here, and not in CI. */
export const SKIP_BROWSER = !existsSync(CHROMIUM) && process.env.CI !== 'true';

export interface TestBrowser {
  context: BrowserContext;
  newPage(): Promise<WatchedPage>;
  close(): Promise<void>;
}

/** A page that remembers what the browser reported about it. */
export interface WatchedPage {
  page: Page;
  console: ConsoleMessage[];
  pageErrors: Error[];
  /** Console messages in which Chromium reports a Content-Security-Policy violation. */
  cspViolations(): string[];
}

export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}; install it with \`apt-get install -y chromium\`.`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'gatehouse-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
  });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      const messages: ConsoleMessage[] = [];
      const pageErrors: Error[] = [];
      page.on('console', (m) => messages.push(m));
      page.on('pageerror', (e) => pageErrors.push(e));
      return {
        page,
        console: messages,
        pageErrors,
        cspViolations: () => messages.map((m) => m.text()).filter((t) => /Content[- ]Security[- ]Policy/i.test(t)),
      };
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
