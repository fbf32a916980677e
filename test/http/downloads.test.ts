// Download counting through both read paths and npm's downloads API, on both engines. Time is a
// ManualClock: downloads land on 2026-03-10, then the clock moves to the next day so that
// `last-day` (yesterday, UTC) is that day.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { ManualClock } from '../../src/domain/jobs/clock.js';

const DAY = '2026-03-10';

async function get(r: TestRegistry, path: string, init: RequestInit = {}) {
  const res = await fetch(`${r.url}${path}`, init);
  await res.arrayBuffer();
  return res;
}

/** Answered before Fastify: the framework's onSend hook adds x-request-id, the fast path does not. */
const viaFastPath = (res: Response) => !res.headers.has('x-request-id');

async function json(r: TestRegistry, path: string) {
  const res = await r.inject({ method: 'GET', url: path });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

for (const engine of ENGINES) {
  describe(`download counts (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    const clock = new ManualClock(Date.parse(`${DAY}T12:00:00Z`));

    beforeAll(async () => {
      // left-pad is on the protected list; the typosquatting check is tested elsewhere (test/http/typosquatting.test.ts).
      r = await startRegistry(engine, { listen: true, deps: { clock }, config: { typosquatPolicy: 'off' } });
      alice = await r.createUser('alice');
      for (const [name, version] of [
        ['left-pad', '1.0.0'],
        ['left-pad', '1.1.0'],
        ['@acme/widget', '2.0.0'],
        ['quiet', '1.0.0'],
      ] as const) {
        expect((await r.publish(alice, packageBuilder(name, version))).statusCode).toBe(201);
      }
    });
    afterAll(() => r.close());

    it('counts each GET of a tarball once, on the fast path and through the framework alike', async () => {
      const url = '/left-pad/-/left-pad-1.0.0.tgz';
      expect((await get(r, '/left-pad')).status).toBe(200);
      let gets = 0;
      const paths = new Set<boolean>();
      // The first answers come through the framework while the fast path loads the bytes.
      while (!paths.has(true) && gets < 200) {
        const res = await get(r, url);
        expect(res.status).toBe(200);
        paths.add(viaFastPath(res));
        gets += 1;
      }
      expect(paths).toEqual(new Set([false, true]));
      const etag = (await get(r, url)).headers.get('etag')!;
      gets += 1;
      // Neither a HEAD nor a revalidation sends the tarball, so neither is a download.
      expect((await get(r, url, { method: 'HEAD' })).status).toBe(200);
      expect((await get(r, url, { headers: { 'if-none-match': etag } })).status).toBe(304);
      expect((await r.inject({ method: 'HEAD', url })).statusCode).toBe(200);
      expect((await r.inject({ method: 'GET', url, headers: { 'if-none-match': etag } })).statusCode).toBe(304);
      // Framework path for another version and the scoped package (inject never takes the fast path).
      expect((await r.inject({ method: 'GET', url: '/left-pad/-/left-pad-1.1.0.tgz' })).statusCode).toBe(200);
      expect((await r.inject({ method: 'GET', url: '/@acme%2fwidget/-/widget-2.0.0.tgz' })).statusCode).toBe(200);
      expect((await r.inject({ method: 'GET', url: '/@acme/widget/-/widget-2.0.0.tgz' })).statusCode).toBe(200);
      // A tarball that does not exist is no download.
      expect((await r.inject({ method: 'GET', url: '/left-pad/-/left-pad-9.9.9.tgz' })).statusCode).toBe(404);

      // Nothing is visible before a flush: the counts are in memory.
      clock.set(`2026-03-11T00:00:01Z`);
      expect((await json(r, '/-/downloads/point/last-day/left-pad')).body.downloads).toBe(0);
      await r.registry.downloads.flush();
      expect(await json(r, '/-/downloads/point/last-day/left-pad')).toEqual({
        status: 200,
        body: { downloads: gets + 1, start: DAY, end: DAY, package: 'left-pad' },
      });
      expect((await json(r, '/-/downloads/point/last-day/@acme/widget')).body.downloads).toBe(2);
      expect((await json(r, '/-/downloads/point/last-day/@acme%2fwidget')).body).toEqual({
        downloads: 2,
        start: DAY,
        end: DAY,
        package: '@acme/widget',
      });
      // A second flush writes nothing twice.
      expect(await r.registry.downloads.flush()).toBe(0);
      expect((await json(r, '/-/downloads/point/last-week/left-pad')).body).toEqual({
        downloads: gets + 1,
        start: '2026-03-04',
        end: DAY,
        package: 'left-pad',
      });
    });

    it('answers a range with every day present, zeros included', async () => {
      const { status, body } = await json(r, `/-/downloads/range/2026-03-08:2026-03-12/@acme%2fwidget`);
      expect(status).toBe(200);
      expect(body).toEqual({
        downloads: [
          { downloads: 0, day: '2026-03-08' },
          { downloads: 0, day: '2026-03-09' },
          { downloads: 2, day: DAY },
          { downloads: 0, day: '2026-03-11' },
          { downloads: 0, day: '2026-03-12' },
        ],
        start: '2026-03-08',
        end: '2026-03-12',
        package: '@acme/widget',
      });
      const month = await json(r, '/-/downloads/range/last-month/quiet');
      expect(month.body.start).toBe('2026-02-09');
      expect(month.body.end).toBe(DAY);
      expect((month.body.downloads as unknown[]).length).toBe(30);
      expect((month.body.downloads as { downloads: number }[]).every((d) => d.downloads === 0)).toBe(true);
    });

    it("answers npm's bulk form per name, null for unknown names", async () => {
      const point = await json(r, '/-/downloads/point/last-day/left-pad,quiet,no-such-thing');
      expect(point.status).toBe(200);
      expect(point.body['quiet']).toEqual({ downloads: 0, start: DAY, end: DAY, package: 'quiet' });
      expect(point.body['no-such-thing']).toBeNull();
      expect((point.body['left-pad'] as { downloads: number }).downloads).toBeGreaterThan(2);
      const range = await json(r, '/-/downloads/range/last-day/left-pad,quiet');
      expect((range.body['quiet'] as { downloads: unknown[] }).downloads).toEqual([{ downloads: 0, day: DAY }]);
    });

    it('refuses bad periods and names with 400 and unknown packages with 404', async () => {
      const cases: [string, number, string][] = [
        ['/-/downloads/point/last-year/left-pad', 400, 'BadRequest'],
        ['/-/downloads/point/2026-02-30/left-pad', 400, 'BadRequest'],
        ['/-/downloads/point/2026-03-10:2026-03-01/left-pad', 400, 'BadRequest'],
        ['/-/downloads/range/2024-01-01:2026-01-01/left-pad', 400, 'BadRequest'],
        ['/-/downloads/range/2026-1-1:2026-01-02/left-pad', 400, 'BadRequest'],
        ['/-/downloads/point/2026-03-01:2026-03-02:2026-03-03/left-pad', 400, 'BadRequest'],
        ['/-/downloads/point/constructor/left-pad', 400, 'BadRequest'],
        ['/-/downloads/point/last-day/', 400, 'BadRequest'],
        ['/-/downloads/point/last-day', 400, 'BadRequest'],
        ['/-/downloads/point/%E0%A4%A/left-pad', 400, 'BadRequest'],
        ['/-/downloads/point/last-day/@acme/widget,left-pad', 400, 'BadRequest'],
        [`/-/downloads/point/last-day/${Array.from({ length: 129 }, (_, i) => `p${i}`).join(',')}`, 400, 'BadRequest'],
        ['/-/downloads/range/2025-01-01:2026-01-01/left-pad,quiet', 400, 'BadRequest'],
        ['/-/downloads/point/last-day/..%2fetc', 400, 'InvalidPackageName'],
        ['/-/downloads/point/last-day/no-such-thing', 404, 'PackageNotFound'],
        ['/-/downloads/range/last-week/@acme/nothing', 404, 'PackageNotFound'],
      ];
      for (const [url, status, code] of cases) {
        const res = await r.inject({ method: 'GET', url });
        expect({ url, status: res.statusCode, code: (res.json() as { code: string }).code }).toEqual({ url, status, code });
      }
    });

    it('shows weekly downloads on the package page and in search results', async () => {
      const page = await r.inject({ method: 'GET', url: '/package/@acme/widget', headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toMatch(/<dt>Weekly downloads<\/dt>\s*<dd class="downloads">2<\/dd>/);
      const quiet = await r.inject({ method: 'GET', url: '/package/quiet', headers: { accept: 'text/html' } });
      expect(quiet.body).toMatch(/<dd class="downloads">0<\/dd>/);
      const results = await r.inject({ method: 'GET', url: '/search?q=widget', headers: { accept: 'text/html' } });
      expect(results.body).toContain('<span class="downloads">2 weekly downloads</span>');
      const api = await r.inject({ method: 'GET', url: '/-/v1/search?text=widget' });
      const objects = (api.json() as { objects: { package: { name: string }; downloads: unknown }[] }).objects;
      expect(objects.find((o) => o.package.name === '@acme/widget')?.downloads).toEqual({ weekly: 2, monthly: 2 });
      // Eight days on, the week no longer includes the 10th.
      clock.set('2026-03-19T08:00:00Z');
      const later = await r.inject({ method: 'GET', url: '/package/@acme/widget', headers: { accept: 'text/html' } });
      expect(later.body).toMatch(/<dd class="downloads">0<\/dd>/);
      clock.set('2026-03-11T00:00:01Z');
    });
  });
}
