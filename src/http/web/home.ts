// The front page (what this registry is, how to use it, what changed lately) and the search
// results page. Both only read; neither needs a signed-in user.
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';
import type { PackageSummary } from '../../domain/packages/pages.js';
import { html, layout, sendPage, type SafeHtml } from './html.js';
import { packageHref, searchHref } from './addresses.js';
import { time } from './format.js';
import { PAGE_ONLY } from './negotiation.js';

const RECENT_COUNT = 20;
const RESULTS_PER_PAGE = 20;
/** Past this the search words are cut anyway (domain/packages/search.ts keeps 8). */
const MAX_QUERY_CHARS = 200;
const MAX_PAGE = 50;

function packageList(packages: PackageSummary[]): SafeHtml {
  return html`<ul class="packages">
    ${packages.map(
      (p) =>
        html`<li>
          <a class="name" href="${packageHref(p.name)}">${p.name}</a>${p.latest
            ? html` <span class="version">${p.latest}</span>`
            : ''}
          <span class="updated">updated ${time(p.modifiedAt)}</span>
          ${p.weeklyDownloads !== undefined
            ? html`<span class="downloads">${p.weeklyDownloads.toLocaleString('en-US')} weekly downloads</span>`
            : ''}
          ${p.description ? html`<p class="description">${p.description}</p>` : ''}
        </li> `,
    )}
  </ul>`;
}

function homePage(registry: Registry, recent: PackageSummary[]): SafeHtml {
  const base = `${registry.baseUrl()}/`;
  return html`<section class="intro">
      <h1>Gatehouse package registry</h1>
      <p>
        This is a self-hosted registry for JavaScript packages. It speaks the npm registry protocol, so npm, pnpm and yarn publish
        to it and install from it unchanged.
      </p>
      <form class="search big" action="/search" method="get" role="search">
        <input type="search" name="q" placeholder="Search packages" aria-label="Search packages" />
        <button type="submit">Search</button>
      </form>
      <h2>Use it</h2>
      <pre><code>npm config set registry ${base}
npm login --registry ${base}</code></pre>
      <p>
        A published version never changes and its number is never reused. Read the
        <a href="/policies/unpublish">unpublish policy</a> to see what can be removed, by whom, and when.
      </p>
    </section>
    <section class="recent">
      <h2>Recently updated</h2>
      ${recent.length === 0 ? html`<p class="empty">Nothing has been published here yet.</p>` : packageList(recent)}
    </section>`;
}

function resultsPage(query: string, page: number, total: number, found: PackageSummary[]): SafeHtml {
  const pages = Math.min(MAX_PAGE, Math.ceil(total / RESULTS_PER_PAGE));
  const counted = total === 1 ? '1 package' : `${total} packages`;
  return html`<h1>Search</h1>
    <form class="search big" action="/search" method="get" role="search">
      <input type="search" name="q" value="${query}" aria-label="Search packages" />
      <button type="submit">Search</button>
    </form>
    ${query === '' ? html`<p>Type part of a package name, description or keyword.</p>` : ''}
    ${query !== '' && total === 0 ? html`<p class="empty">No packages match “${query}”.</p>` : ''}
    ${total > 0
      ? html`<p class="count">${counted} found for “${query}”.</p>
          ${packageList(found)}`
      : ''}
    ${pages > 1
      ? html`<nav class="pages" aria-label="Result pages">
          ${page > 1 ? html`<a rel="prev" href="${searchHref(query, page - 1)}">Previous</a>` : ''}
          <span>Page ${page} of ${pages}</span>
          ${page < pages ? html`<a rel="next" href="${searchHref(query, page + 1)}">Next</a>` : ''}
        </nav>`
      : ''}`;
}

export function registerHomePages(app: FastifyInstance, registry: Registry): void {
  app.get('/', async (request, reply) => {
    const recent = await registry.packages.recentlyUpdated(request.context, RECENT_COUNT);
    return sendPage(reply, layout('Home', homePage(registry, recent)));
  });

  app.get<{ Querystring: { q?: unknown; page?: unknown } }>('/search', { constraints: PAGE_ONLY }, async (request, reply) => {
    // attacker-controlled: a repeated parameter arrives as an array; take text only.
    const raw = request.query.q;
    const query = (typeof raw === 'string' ? raw : '').trim().slice(0, MAX_QUERY_CHARS);
    const asked = Number(request.query.page);
    const page = Number.isInteger(asked) && asked >= 1 && asked <= MAX_PAGE ? asked : 1;
    const { hits, total } = query
      ? await registry.packages.search(request.context, query, RESULTS_PER_PAGE, (page - 1) * RESULTS_PER_PAGE)
      : { hits: [], total: 0 };
    const latest = await registry.packages.latestVersions(hits.map((h) => h.row.name));
    const weeklyCounts = await registry.downloads.lastWeek(hits.map((h) => h.row.name));
    const found = hits.map((h) => ({
      ...h.row,
      latest: latest.get(h.row.name),
      weeklyDownloads: weeklyCounts.get(h.row.name) ?? 0,
    }));
    const title = query ? `Search: ${query}` : 'Search';
    return sendPage(reply, layout(title, resultsPage(query, page, total, found)));
  });
}
