// README rendering on the package page cannot stall the server: crafted markdown (marked is
// superlinear on some shapes) renders off the event loop under a time limit or falls back to plain
// text, long READMEs are capped, and each version is rendered once, for every instance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { until } from '../support/wait.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { freshDatabase } from '../support/engines.js';
import { openRegistry } from '../../src/registry.js';
import { buildApp } from '../../src/http/app.js';
import { openDatabase } from '../../src/storage/db/database.js';
import type { Config } from '../../src/config.js';
import type { FastifyInstance } from 'fastify';
import { assertStrictPage, element, getPage, publish, visibleText } from './fixtures.js';

const MARKER = 'Crafted README marker';

/** Inputs on which marked 17 is superlinear or throws, each under a heading the page must show. */
const CRAFTED: Record<string, string> = {
  // markedjs/marked#4099: emStrong is quadratic in the number of unmatched emphasis delimiters.
  'emphasis-9k': `# ${MARKER}\n\n${'**a '.repeat(2304)}`,
  'emphasis-40k': `# ${MARKER}\n\n${'*a '.repeat(13_653)}`,
  // Each "- " opens a nested list: marked recurses once per level and exhausts the stack. A render
  // thread has a 4 MB stack, in which 5,000 levels fit and render in under a second on a quiet
  // machine; 20,000 take seconds to exhaust it, so this cannot render within the test's 1 s limit.
  'nested-lists': `# ${MARKER}\n\n${'- '.repeat(20_000)}x`,
  // Unclosed links (GHSA-66g2-49g4-pwrq): every "[" rescans the rest for a ")".
  'unclosed-links': `# ${MARKER}\n\n${'[x]('.repeat(10_000)}`,
};

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

for (const engine of ENGINES) {
  describe(`README rendering (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true, config: { readmeRenderTimeoutMs: 1000 } });
      alice = await r.createUser('alice');
      for (const [name, readme] of Object.entries(CRAFTED)) {
        await publish(r, alice, packageBuilder(`crafted-${name}`, '1.0.0').readme(readme));
      }
    });
    afterAll(() => r.close());

    for (const name of Object.keys(CRAFTED)) {
      it(`a cached packument answers while the first view of a crafted README (${name}) is rendered`, async () => {
        const packumentUrl = `${r.url}/crafted-${name}`;
        expect((await fetch(packumentUrl)).status).toBe(200); // now cached
        const renders = r.app.readmeRenderer.pool;
        const before = renders.started;
        const finished: string[] = [];
        const page = fetch(`${r.url}/package/crafted-${name}`, { headers: HTML }).then(async (res) => {
          finished.push('page');
          return { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
        });
        // The packument is asked for only once the README is on a render thread.
        await until('the README render has started', () => renders.started > before);
        const packument = await fetch(packumentUrl);
        finished.push('packument');
        expect(packument.status).toBe(200);
        expect(((await packument.json()) as { name: string }).name).toBe(`crafted-${name}`);
        const shown = await page;
        expect(finished).toEqual(['packument', 'page']);
        expect(shown.statusCode).toBe(200);
        expect(visibleText(element(shown.body, '<section class="readme"'))).toContain(MARKER);
        assertStrictPage(shown);
      });
    }

    it('a README that cannot render in time is kept as plain text and never rendered again', async () => {
      for (const name of ['emphasis-40k', 'nested-lists']) {
        const stored = await r.registry.store.packages.storedReadme(`crafted-${name}`, '1.0.0');
        // Deep nesting either exhausts the worker's stack (failed) or runs out of time.
        expect(stored?.outcome, name).toMatch(name === 'nested-lists' ? /^(failed|timeout)$/ : /^timeout$/);
        expect(stored?.html, name).toMatch(/^<pre class="readme-plain">/);
        const again = await getPage(r, `/package/crafted-${name}`);
        expect(element(again.body, '<section class="readme"')).toContain('<pre class="readme-plain">');
      }
    });

    it('a prototype property is neither a dist-tag nor a version on the web page', async () => {
      await publish(r, alice, packageBuilder('proto-page', '1.0.0').readme('# Proto'));
      for (const word of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
        const res = await getPage(r, `/package/proto-page/v/${word}`);
        expect(res.statusCode, word).toBe(404);
        expect(visibleText(res.body), word).toContain(`proto-page has no version ${word}`);
      }
      expect((await getPage(r, '/package/proto-page/v/latest')).statusCode).toBe(302);
    });
  });
}

/** One registry instance on an existing database, as `gatehouse serve` opens it. */
async function instance(config: Config) {
  const registry = await openRegistry(config);
  const app = await buildApp(registry, { logger: false });
  let token: string | undefined;
  return {
    registry,
    app,
    async publish(builder: ReturnType<typeof packageBuilder>): Promise<void> {
      if (!token) {
        const password = 'pw-carol-correct-horse';
        const user = await registry.accounts.createUser({ name: 'carol', email: 'carol@example.com', password, isAdmin: false });
        const created = await registry.store.transaction((tx) => registry.tokens.create(tx, user, { reason: 'test' }));
        token = created.secret;
      }
      const res = await app.inject({
        method: 'PUT',
        url: `/${builder.name}`,
        headers: { authorization: `Bearer ${token}` },
        payload: builder.publishBody('http://registry.test'),
      });
      expect(res.statusCode, res.body).toBe(201);
    },
    async close() {
      await app.close();
      await registry.close();
    },
  };
}

function pageOf(app: FastifyInstance, url: string) {
  return app.inject({ method: 'GET', url, headers: HTML });
}

for (const engine of ENGINES) {
  describe(`README rendered once (${engine})`, () => {
    it('a second view, another instance and a restart all show the kept HTML without rendering again', async () => {
      const database = await freshDatabase(engine);
      try {
        const first = await instance(database.config);
        await first.publish(packageBuilder('render-once', '1.0.0').readme('# Once\n\nRendered **once**.'));
        const view = await pageOf(first.app, '/package/render-once');
        expect(element(view.body, '<section class="readme"')).toContain('<strong>once</strong>');
        expect((await first.registry.store.packages.storedReadme('render-once', '1.0.0'))?.outcome).toBe('rendered');
        // Replace the kept HTML: any view that rendered again would show the markdown instead.
        const { db } = await openDatabase(database.config);
        await db
          .updateTable('versions')
          .set({ readme_html: '<p>kept-html-marker</p>' })
          .where('package_name', '=', 'render-once')
          .execute();
        await db.destroy();
        const second = await instance(database.config);
        for (const app of [first.app, second.app]) {
          const again = await pageOf(app, '/package/render-once');
          expect(element(again.body, '<section class="readme"')).toContain('kept-html-marker');
        }
        await first.close();
        await second.close();
        const restarted = await instance(database.config);
        expect(element((await pageOf(restarted.app, '/package/render-once')).body, '<section class="readme"')).toContain(
          'kept-html-marker',
        );
        await restarted.close();
      } finally {
        await database.dispose();
      }
    });

    it('a README over the cap shows its first part rendered and the rest as escaped text', async () => {
      const database = await freshDatabase(engine, { readmeRenderBytes: 1024 });
      try {
        const one = await instance(database.config);
        const head = `# Capped\n\n${'A line with **bold** words.\n'.repeat(30)}`;
        const tail = '<b>tail marker</b> and **not bold**\n'.repeat(20);
        expect(Buffer.byteLength(head)).toBeLessThan(1024);
        await one.publish(packageBuilder('capped', '1.0.0').readme(head + tail));
        const res = await pageOf(one.app, '/package/capped');
        assertStrictPage(res);
        const readme = element(res.body, '<section class="readme"');
        expect(readme).toContain('<h1>Capped</h1>');
        expect(readme).toContain('<strong>bold</strong>');
        const rest = element(readme, '<pre class="readme-rest"');
        expect(rest).toContain('&lt;b&gt;tail marker&lt;/b&gt; and **not bold**');
        expect(rest).not.toContain('<b>');
        expect(readme.indexOf('<h1>Capped</h1>')).toBeLessThan(readme.indexOf('<pre class="readme-rest"'));
        await one.close();
      } finally {
        await database.dispose();
      }
    });

    it('beyond the queue bound a page shows plain text now and renders on a later view', async () => {
      const database = await freshDatabase(engine, { readmeRenderQueue: 0, readmeRenderTimeoutMs: 60_000 });
      try {
        const one = await instance(database.config);
        await one.publish(packageBuilder('slow-one', '1.0.0').readme(CRAFTED['emphasis-9k']!));
        const names = ['slow-two', 'slow-three'];
        for (const name of names) await one.publish(packageBuilder(name, '1.0.0').readme(`# ${MARKER}\n\n${name}`));
        const slow = pageOf(one.app, '/package/slow-one');
        // The others are asked for only once slow-one holds the only thread.
        await until('slow-one is rendering', () => one.app.readmeRenderer.pool.started > 0);
        const others = await Promise.all(names.map((name) => pageOf(one.app, `/package/${name}`)));
        expect(visibleText(element((await slow).body, '<section class="readme"'))).toContain(MARKER);
        for (const [i, res] of others.entries()) {
          expect(element(res.body, '<section class="readme"')).toContain('<pre class="readme-plain">');
          expect(await one.registry.store.packages.storedReadme(names[i]!, '1.0.0')).toBeUndefined();
        }
        const later = await pageOf(one.app, '/package/slow-two');
        expect(element(later.body, '<section class="readme"')).toContain(`<h1>${MARKER}</h1>`);
        expect((await one.registry.store.packages.storedReadme('slow-two', '1.0.0'))?.outcome).toBe('rendered');
        await one.close();
      } finally {
        await database.dispose();
      }
    });
  });
}
