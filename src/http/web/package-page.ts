// The package page (/package/<name>) and the version page (/package/<name>/v/<version>): README,
// install command, versions with publish times and deprecations, dist-tags and maintainers.
// Everything shown comes from the publisher and is escaped, or sanitised in markdown.ts.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Registry } from '../../registry.js';
import { parsePackageName, type PackageName } from '../../domain/packages/names.js';
import type { PackageView } from '../../domain/packages/pages.js';
import type { VersionRecord } from '../../domain/packages/store.js';
import { npmUserOf } from '../../domain/packages/packument.js';
import { html, layout, sendPage, type SafeHtml } from './html.js';
import { packageHref, parsePackageAddress, searchHref, versionHref } from './addresses.js';
import { bytes, time } from './format.js';
import { ReadmeRenderer } from './readme/renderer.js';
import { PAGE_ONLY } from './negotiation.js';
import { securitySection } from './security-section.js';
import { viewerOf } from './csrf.js';
import { vulnerabilitiesSection } from './vulnerabilities.js';
import { provenanceBox } from './provenance-cards.js';
import { stagedVersionsSection } from './staged-versions.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's README renderer: tests wait on its pool's `started` count instead of sleeping. */
    readmeRenderer: ReadmeRenderer;
  }
}

type Found = Extract<PackageView, { kind: 'found' }>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** A publisher-supplied URL becomes a link only if it is plainly http(s). */
function webUrl(value: unknown): string | undefined {
  const url = text(value) ?? (typeof value === 'object' && value !== null ? text((value as { url?: unknown }).url) : undefined);
  const cleaned = url?.replace(/^git\+/, '').replace(/\.git$/, '');
  return cleaned && /^https?:\/\/[^\s]+$/i.test(cleaned) ? cleaned : undefined;
}

/** A tag or version named like an Object.prototype member (constructor, __proto__) is not one. */
function ownTag(distTags: Record<string, string>, tag: string): string | undefined {
  return Object.hasOwn(distTags, tag) ? distTags[tag] : undefined;
}

function tagsByVersion(distTags: Record<string, string>): Map<string, string[]> {
  const byVersion = new Map<string, string[]>();
  for (const [tag, version] of Object.entries(distTags)) byVersion.set(version, [...(byVersion.get(version) ?? []), tag]);
  return byVersion;
}

function deprecationNotice(v: VersionRecord): SafeHtml {
  if (!v.deprecated) return html``;
  return html`<p class="notice deprecated" role="note"><strong>Deprecated:</strong> ${v.deprecated}</p>`;
}

async function readme(readmes: ReadmeRenderer, v: VersionRecord): Promise<SafeHtml> {
  if (!v.readme.trim()) return html`<section class="readme empty"><p>This version has no README.</p></section>`;
  const shown = await readmes.html(v.packageName, v.version, v.readme);
  return html`<section class="readme" aria-label="README">${shown}</section>`;
}

function dependencies(v: VersionRecord): SafeHtml {
  const deps = v.manifest.dependencies;
  const entries = typeof deps === 'object' && deps !== null ? Object.entries(deps as Record<string, unknown>) : [];
  if (entries.length === 0) return html`<p>No dependencies.</p>`;
  return html`<ul class="dependencies">
    ${entries.map(([name, range]) => html`<li><a href="${packageHref(name)}">${name}</a> <code>${String(range)}</code></li>`)}
  </ul>`;
}

function sidebar(view: Found, v: VersionRecord, pinned: boolean, weeklyDownloads: number, provenance: SafeHtml): SafeHtml {
  const name = view.pkg.name;
  const install = pinned ? `npm install ${name}@${v.version}` : `npm install ${name}`;
  const homepage = webUrl(v.manifest.homepage);
  const repository = webUrl(v.manifest.repository);
  const publisher = npmUserOf(v.publisher, view.publishers);
  return html`<aside class="facts">
    <h2>Install</h2>
    <pre class="install"><code>${install}</code></pre>
    <dl>
      <dt>Weekly downloads</dt>
      <dd class="downloads">${weeklyDownloads.toLocaleString('en-US')}</dd>
      <dt>Version</dt>
      <dd>${v.version}</dd>
      ${text(v.manifest.license)
        ? html`<dt>License</dt>
            <dd>${text(v.manifest.license)}</dd>`
        : ''}
      <dt>Published</dt>
      <dd>${time(v.publishedAt)}${publisher ? html` by ${publisher.name}` : ''}</dd>
      <dt>Unpacked size</dt>
      <dd>${bytes(v.unpackedSize)} in ${v.fileCount} files</dd>
      <dt>Integrity</dt>
      <dd class="integrity"><code>${v.integrity}</code></dd>
      ${homepage
        ? html`<dt>Homepage</dt>
            <dd><a rel="nofollow noopener noreferrer" href="${homepage}">${homepage}</a></dd>`
        : ''}
      ${repository
        ? html`<dt>Repository</dt>
            <dd><a rel="nofollow noopener noreferrer" href="${repository}">${repository}</a></dd>`
        : ''}
    </dl>
    <h2>Dist-tags</h2>
    <ul class="dist-tags">
      ${Object.entries(view.distTags).map(
        ([tag, version]) => html`<li><span class="tag">${tag}</span> <a href="${versionHref(name, version)}">${version}</a></li>`,
      )}
    </ul>
    <h2>Maintainers</h2>
    <ul class="maintainers">
      ${view.owners.map((o) => html`<li>${o.name}</li>`)}
    </ul>
    <div class="provenance" id="provenance">${provenance}</div>
  </aside>`;
}

function versionsTable(view: Found, current: string): SafeHtml {
  const name = view.pkg.name;
  const tags = tagsByVersion(view.distTags);
  return html`<section class="versions">
    <h2>Versions</h2>
    <table>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Published</th>
          <th scope="col">Tags</th>
          <th scope="col">Notes</th>
        </tr>
      </thead>
      <tbody>
        ${view.versions.map(
          (v) => html`<tr${v.version === current ? html` class="current" aria-current="page"` : ''}>
<td><a href="${versionHref(name, v.version)}">${v.version}</a></td>
<td>${time(v.publishedAt)}</td>
<td>${(tags.get(v.version) ?? []).map((t) => html`<span class="tag">${t}</span> `)}</td>
<td>${v.deprecated ? html`<span class="deprecated">Deprecated: ${v.deprecated}</span>` : ''}</td>
</tr>
`,
        )}
      </tbody>
    </table>
    ${view.tombstones.length > 0
      ? html`<p class="tombstones">
          Unpublished, and never to be published again:
          ${view.tombstones.map((v, i) => html`${i > 0 ? ', ' : ''}<span class="version">${v.version}</span>`)}. See the
          <a href="/policies/unpublish">unpublish policy</a>.
        </p>`
      : ''}
  </section>`;
}

interface PageParts {
  readmeHtml: SafeHtml;
  weeklyDownloads: number;
  security: SafeHtml;
  vulnerabilities: SafeHtml;
  provenance: { box: SafeHtml; tab: SafeHtml };
  staged: SafeHtml;
}

/** The version's tabs; Security is per version (its provenance, advisories and how to report). */
function tabs(name: string, v: VersionRecord): SafeHtml {
  const here = versionHref(name, v.version);
  return html`<nav class="tabs" aria-label="Sections">
    <a href="${here}#readme">Readme</a> <a href="${here}#dependencies">Dependencies</a> <a href="${here}#versions">Versions</a>
    <a class="security-tab" href="${here}#security">Security</a>
  </nav>`;
}

function packagePage(view: Found, v: VersionRecord, pinned: boolean, parts: PageParts): SafeHtml {
  const name = view.pkg.name;
  const latest = ownTag(view.distTags, 'latest');
  const description = pinned ? text(v.manifest.description) : view.pkg.description || text(v.manifest.description);
  return html`<div class="package">
    <div class="heading">
      <h1><a href="${packageHref(name)}">${name}</a> <span class="version">${v.version}</span></h1>
      ${description ? html`<p class="description">${description}</p>` : ''}
      ${pinned && latest && latest !== v.version
        ? html`<p class="notice">
            You are looking at ${v.version}. The latest version is <a href="${versionHref(name, latest)}">${latest}</a>.
          </p>`
        : ''}
      ${deprecationNotice(v)}
    </div>
    <div class="columns">
      <div class="main">
        ${tabs(name, v)} ${parts.staged}
        <div id="readme">${parts.readmeHtml}</div>
        <section class="deps" id="dependencies">
          <h2>Dependencies</h2>
          ${dependencies(v)}
        </section>
        <div id="versions">${versionsTable(view, v.version)}</div>
        <section class="security-tab-panel" id="security" aria-label="Security of ${v.version}">
          <h2>Security of ${v.version}</h2>
          ${parts.provenance.tab} ${parts.vulnerabilities} ${parts.security}
        </section>
      </div>
      ${sidebar(view, v, pinned, parts.weeklyDownloads, parts.provenance.box)}
    </div>
  </div>`;
}

function notFound(reply: FastifyReply, what: string): FastifyReply {
  const body = html`<h1>Not found</h1>
    <p>${what}</p>
    <p><a href="${searchHref('')}">Search packages</a> or go <a href="/">home</a>.</p>`;
  return sendPage(reply, layout('Not found', body), 404);
}

function unpublishedPage(reply: FastifyReply, view: Extract<PackageView, { kind: 'unpublished' }>): FastifyReply {
  const body = html`<h1>${view.pkg.name}</h1>
    <p class="notice unpublished">
      This package was unpublished on ${time(view.pkg.unpublishedAt ?? view.pkg.modifiedAt)}. Its name is reserved: only its
      owners (${view.owners.map((o, i) => html`${i > 0 ? ', ' : ''}${o.name}`)}) can publish under it again, and none of its old
      version numbers can ever be reused.
    </p>
    <p>Read the <a href="/policies/unpublish">unpublish policy</a>.</p>`;
  return sendPage(reply, layout(view.pkg.name, body), 410);
}

/** The version to show: latest (else the newest live one), or the one asked for. */
function chosenVersion(view: Found, asked: string | undefined): VersionRecord | 'tombstone' | undefined {
  if (asked === undefined) {
    const latest = ownTag(view.distTags, 'latest');
    return view.versions.find((v) => v.version === latest) ?? view.versions[0];
  }
  const live = view.versions.find((v) => v.version === asked);
  if (live) return live;
  return view.tombstones.some((v) => v.version === asked) ? 'tombstone' : undefined;
}

export function registerPackagePages(app: FastifyInstance, registry: Registry): void {
  const { config } = registry;
  const readmes = new ReadmeRenderer(registry.packages, {
    renderBytes: config.readmeRenderBytes,
    timeoutMs: config.readmeRenderTimeoutMs,
    threads: config.readmeRenderThreads,
    queue: config.readmeRenderQueue,
  });
  app.decorate('readmeRenderer', readmes);
  app.addHook('onClose', () => readmes.close());
  app.get('/package/*', { constraints: PAGE_ONLY }, async (request, reply) => {
    const address = parsePackageAddress(request.url);
    if (!address) return notFound(reply, 'That is not a package address.');
    let name: PackageName;
    try {
      name = parsePackageName(address.name);
    } catch {
      return notFound(reply, `“${address.name}” is not a valid package name.`);
    }
    const view = await registry.packages.view(request.context, name);
    if (view.kind === 'missing') return notFound(reply, `There is no package named “${name}” in this registry.`);
    if (view.kind === 'unpublished') return unpublishedPage(reply, view);
    const tagged = address.version !== undefined ? ownTag(view.distTags, address.version) : undefined;
    if (tagged && tagged !== address.version) return reply.redirect(versionHref(name, tagged), 302);
    const chosen = chosenVersion(view, address.version);
    if (chosen === 'tombstone') {
      const body = html`<h1>${name}@${address.version}</h1>
        <p class="notice unpublished">This version was unpublished. Its number can never be published again.</p>
        <p>
          See <a href="${packageHref(name)}">the versions of ${name}</a> that are still available, and the
          <a href="/policies/unpublish">unpublish policy</a>.
        </p>`;
      return sendPage(reply, layout(`${name}@${address.version}`, body), 410);
    }
    if (!chosen) {
      if (address.version !== undefined) return notFound(reply, `${name} has no version ${address.version}.`);
      return notFound(reply, `${name} has no versions available.`);
    }
    const title = address.version ? `${name}@${chosen.version}` : name;
    const readmeHtml = await readme(readmes, chosen);
    const weeklyDownloads = (await registry.downloads.lastWeek([name])).get(name) ?? 0;
    const security = await securitySection(request, registry, chosen, view.owners);
    const vulnerabilities = await vulnerabilitiesSection(registry, request.context, chosen);
    const provenance = await provenanceBox(registry, chosen);
    const staged = await stagedVersionsSection(request, registry, name);
    const page = packagePage(view, chosen, address.version !== undefined, {
      readmeHtml,
      weeklyDownloads,
      security,
      vulnerabilities,
      provenance,
      staged,
    });
    // A signed-in page carries a CSRF token (the report form): never cached.
    if (request.context.principal.kind === 'session') reply.header('cache-control', 'no-store');
    return sendPage(reply, layout(title, page, viewerOf(request)));
  });
}
