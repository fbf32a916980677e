// Small npm endpoints: ping and search.
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';

export function registerMiscRoutes(app: FastifyInstance, registry: Registry): void {
  app.get('/-/ping', async () => ({}));

  // npm search: GET /-/v1/search?text=&size=&from=; npm maps over package.maintainers, so it is always present.
  app.get<{ Querystring: { text?: string; size?: string; from?: string } }>('/-/v1/search', async (request) => {
    const size = clamp(Number(request.query.size ?? 20), 1, 250);
    const from = clamp(Number(request.query.from ?? 0), 0, 10_000);
    const { results, total } = await registry.packages.searchResults(
      request.context,
      String(request.query.text ?? ''),
      size,
      from,
    );
    const names = results.map((h) => h.row.name);
    const [weekly, monthly] = await Promise.all([registry.downloads.lastWeek(names), registry.downloads.lastMonth(names)]);
    const objects = [];
    for (const { distTags: tags, owners, ...hit } of results) {
      objects.push({
        package: {
          name: hit.row.name,
          version: tags.latest ?? Object.values(tags)[0] ?? '0.0.0',
          description: hit.row.description,
          keywords: hit.row.keywords ? hit.row.keywords.split(' ') : [],
          date: hit.row.modifiedAt,
          ...(owners[0] && { publisher: { username: owners[0].name, email: owners[0].email } }),
          maintainers: owners.map((o) => ({ username: o.name, email: o.email })),
          links: { npm: `${registry.baseUrl()}/package/${hit.row.name}` },
        },
        score: { final: hit.score, detail: { quality: hit.score, popularity: 0, maintenance: 0 } },
        // What the public registry's search sends: the last 7 and 30 complete days.
        downloads: { weekly: weekly.get(hit.row.name) ?? 0, monthly: monthly.get(hit.row.name) ?? 0 },
        searchScore: hit.score,
      });
    }
    return { objects, total, time: new Date(registry.clock.now()).toUTCString() };
  });
}

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.floor(n))) : min;
}
