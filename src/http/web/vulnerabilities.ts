// The "Known vulnerabilities" section of a package or version page: the imported advisories that
// affect the version shown, and those affecting its direct dependencies, each dependency resolved
// to the highest version in this registry its range allows (domain/advisories forDependencies).
// Advisory text comes from imported OSV files: escaped like everything else.
import type { Registry } from '../../registry.js';
import type { RequestContext } from '../../domain/access/context.js';
import type { VersionRecord } from '../../domain/packages/store.js';
import type { DependencyAdvisories, VersionAdvisory } from '../../domain/advisories/service.js';
import { html, type SafeHtml } from './html.js';
import { versionHref } from './addresses.js';

function advisoryItem(a: VersionAdvisory): SafeHtml {
  const link = /^https?:\/\//.test(a.url) ? html`<a rel="nofollow noopener noreferrer" href="${a.url}">${a.id}</a>` : a.id;
  return html`<li class="advisory ${a.severity}">
    <span class="severity">${a.severity}</span> ${link}${a.summary ? html`: ${a.summary}` : ''}
    <span class="fixed">${a.fixedIn ? html`Fixed in ${a.fixedIn}.` : 'No fixed version is known.'}</span>
  </li>`;
}

function dependencyItem(d: DependencyAdvisories): SafeHtml {
  return html`<li>
    <a href="${versionHref(d.name, d.resolved ?? '')}">${d.name}@${d.resolved ?? ''}</a> (for <code>${d.range}</code>)
    <ul>
      ${d.advisories.map(advisoryItem)}
    </ul>
  </li>`;
}

function dependenciesOf(v: VersionRecord): Record<string, string> {
  const deps = v.manifest.dependencies;
  if (typeof deps !== 'object' || deps === null) return {};
  return Object.fromEntries(
    Object.entries(deps as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

export async function vulnerabilitiesSection(registry: Registry, context: RequestContext, v: VersionRecord): Promise<SafeHtml> {
  const [own, deps] = await Promise.all([
    registry.advisories.forVersion(v.packageName, v.version),
    registry.advisories.forDependencies(context, dependenciesOf(v)),
  ]);
  const affectedDeps = deps.filter((d) => d.advisories.length > 0);
  return html`<section class="vulnerabilities" aria-label="Known vulnerabilities">
    <h2>Known vulnerabilities</h2>
    ${own.length > 0
      ? html`<p class="notice vulnerable">
            ${v.version} is affected by ${own.length} known ${own.length === 1 ? 'vulnerability' : 'vulnerabilities'}:
          </p>
          <ul class="advisories">
            ${own.map(advisoryItem)}
          </ul>`
      : html`<p class="none">No known vulnerabilities affect ${v.version}.</p>`}
    ${affectedDeps.length > 0
      ? html`<p class="notice vulnerable">
            Dependencies with known vulnerabilities (each range resolved to the highest version this registry has):
          </p>
          <ul class="dependency-advisories">
            ${affectedDeps.map(dependencyItem)}
          </ul>`
      : html`<p class="none">
          No known vulnerabilities in its direct dependencies, each resolved to the highest version this registry has.
        </p>`}
  </section>`;
}
