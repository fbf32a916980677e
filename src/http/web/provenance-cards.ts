// Where a version was built from, on its package page, after the OpenSSF attestations UI guidance
// (build-provenance-for-all-package-registries.md): literal links to the source, the build
// instructions and the transparency log entry, in four cards (source, build, integrity,
// attestation). It says the registry *confirmed* the attestation matches the tarball, never that
// the package is "verified" or trustworthy: provenance only says where to look. Every value shown
// came from a certificate or an ID token the publisher's CI obtained, so it is escaped, and only
// plain https URLs become links.
import type { Registry } from '../../registry.js';
import type { VersionRecord } from '../../domain/packages/store.js';
import type { AttestationRecord } from '../../domain/provenance/store.js';
import type { BuildFacts } from '../../domain/provenance/certificate.js';
import { html, type SafeHtml } from './html.js';
import { time } from './format.js';

const SLSA = 'https://slsa.dev/provenance/v1';
const PUBLISH = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1';

const https = (url: string | undefined) => (url && /^https:\/\/[^\s"<>]+$/.test(url) ? url : undefined);

function link(url: string | undefined, label: string): SafeHtml {
  const safe = https(url);
  return safe ? html`<a rel="nofollow noopener noreferrer" href="${safe}">${label}</a>` : html`${label}`;
}

/** `https://github.com/o/r/.github/workflows/release.yml@refs/heads/main` → the file at the commit. */
function workflowUrl(build: BuildFacts): { file: string; url?: string } | undefined {
  const config = build.buildConfig;
  if (!config) return undefined;
  const at = config.lastIndexOf('@');
  const path = at > 0 ? config.slice(0, at) : config;
  const repo = build.sourceRepository;
  const file = repo && path.startsWith(`${repo}/`) ? path.slice(repo.length + 1) : path;
  const ref = build.sourceCommit ?? (at > 0 ? config.slice(at + 1) : undefined);
  const url = repo && ref && https(repo) ? `${repo}/blob/${ref}/${file}` : undefined;
  return { file, ...(url && { url }) };
}

function ciName(build: BuildFacts): string {
  const issuer = build.issuer ?? '';
  if (
    issuer === 'https://token.actions.githubusercontent.com' ||
    issuer.startsWith('https://token.actions.githubusercontent.com/')
  )
    return 'GitHub Actions';
  if (/gitlab/i.test(issuer)) return 'GitLab CI/CD';
  if (/circleci/i.test(issuer)) return 'CircleCI';
  return issuer || 'an unnamed CI system';
}

interface LogEntry {
  logIndex?: string;
  integratedTime?: string;
}

function logEntryOf(record: AttestationRecord): LogEntry | undefined {
  const material = record.bundle.verificationMaterial as { tlogEntries?: LogEntry[] } | undefined;
  return material?.tlogEntries?.[0];
}

function cards(v: VersionRecord, build: BuildFacts, records: AttestationRecord[], built: boolean): SafeHtml {
  const repo = build.sourceRepository;
  const workflow = workflowUrl(build);
  const commitUrl = repo && build.sourceCommit ? `${repo}/commit/${build.sourceCommit}` : undefined;
  const runUrl = https(build.runInvocation);
  const attestationsUrl = `/-/npm/v1/attestations/${v.packageName.replace('/', '%2f')}@${v.version}`;
  return html`<div class="provenance-cards">
    <div class="card source" data-card="source">
      <h3>Source</h3>
      <p>${repo ? link(repo, repo.replace(/^https:\/\//, '')) : 'not named'}</p>
      ${build.sourceCommit ? html`<p>Commit ${link(commitUrl, build.sourceCommit.slice(0, 12))}</p>` : ''}
      ${build.sourceRef ? html`<p>Ref <code>${build.sourceRef}</code></p>` : ''}
    </div>
    <div class="card build" data-card="build">
      <h3>Build</h3>
      <p>
        ${built ? 'Built on' : 'Published from a workflow on'}
        ${ciName(build)}${build.runner ? html` (${build.runner} runner)` : ''}
      </p>
      ${workflow ? html`<p>Instructions ${link(workflow.url, workflow.file)}</p>` : ''}
      ${runUrl ? html`<p>${link(runUrl, 'View the build summary')}</p>` : ''}
    </div>
    <div class="card integrity" data-card="integrity">
      <h3>Integrity</h3>
      <p>The attestation's subject digest was confirmed to be this tarball's at publish:</p>
      <p><code>${v.integrity}</code></p>
    </div>
    <div class="card attestation" data-card="attestation">
      <h3>Attestation</h3>
      <ul>
        ${records.map((r) => {
          const entry = logEntryOf(r);
          const kind =
            r.predicateType === SLSA
              ? 'SLSA build provenance'
              : r.predicateType === PUBLISH
                ? 'Registry publish attestation'
                : r.predicateType;
          return html`<li data-predicate="${r.predicateType}">
            ${kind}${entry?.logIndex ? html`, transparency log entry #${entry.logIndex}` : ''}${entry?.integratedTime
              ? html`, logged ${time(new Date(Number(entry.integratedTime) * 1000).toISOString())}`
              : ''}
          </li>`;
        })}
      </ul>
      <p><a href="${attestationsUrl}">Sigstore bundles</a> (check them yourself with <code>npm audit signatures</code>)</p>
    </div>
  </div>`;
}

/**
 * The sidebar's "Provenance" box with its four cards, near the maintainers, and the summary the
 * version's security tab repeats. A version without attestations says so, plainly.
 */
export async function provenanceBox(registry: Registry, v: VersionRecord): Promise<{ box: SafeHtml; tab: SafeHtml }> {
  const records = await registry.provenance.attestations(v.packageName, v.version);
  const slsa = records.find((r) => r.predicateType === SLSA);
  const build = slsa?.build ?? records.find((r) => r.build)?.build ?? undefined;
  if (!build) {
    const none = html`<p class="provenance none">
      No provenance: nothing links this version to a source repository or a build.
    </p>`;
    return {
      box: html`<h2>Provenance</h2>
        ${none}`,
      tab: html`<h3>Provenance</h3>
        ${none}`,
    };
  }
  const from = build.sourceRepository
    ? html` from ${link(build.sourceRepository, build.sourceRepository.replace(/^https:\/\//, ''))}`
    : '';
  // Only SLSA provenance says where it was built; a publish attestation alone says who published it.
  const summary = slsa
    ? html`<p class="provenance summary">
        Built and signed on ${ciName(build)}${from}. Provenance confirmed at publish: it says where to look, not that the code is
        safe.
      </p>`
    : html`<p class="provenance summary">
        Published by a trusted publisher on ${ciName(build)}${from}, as the registry's publish attestation records; there is no
        build provenance.
      </p>`;
  return {
    box: html`<h2>Provenance</h2>
      ${summary} ${cards(v, build, records, slsa !== undefined)}`,
    tab: html`<h3>Provenance</h3>
      ${summary}`,
  };
}
