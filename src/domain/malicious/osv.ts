// A MAL- advisory as an OSV record (OSV schema 1.6, https://ossf.github.io/osv-schema/), the form
// osv.dev and the OpenSSF malicious-packages repository publish, so `osv-scanner` and other OSV
// tooling read our feed as they read theirs. Pure: imports nothing from storage or http.
import type { MaliciousAdvisory } from './store.js';

export const OSV_SCHEMA_VERSION = '1.6.0';

const MAL_ID = /^MAL-(\d{4})-(\d{1,9})$/;

export function malId(year: number, n: number): string {
  return `MAL-${year}-${n}`;
}

export function isMalId(id: string): boolean {
  return MAL_ID.test(id);
}

export interface OsvRecord {
  schema_version: string;
  id: string;
  modified: string;
  published: string;
  summary: string;
  details: string;
  affected: {
    package: { ecosystem: 'npm'; name: string; purl: string };
    versions: string[];
    ranges?: { type: 'SEMVER'; events: { introduced: string }[] }[];
    database_specific: { source: 'gatehouse'; all_versions: boolean };
  }[];
  references: { type: 'PACKAGE' | 'WEB'; url: string }[];
  database_specific: { source: 'gatehouse'; registry: string; reports: number[] };
}

/** purl-spec npm type: the scope's @ is percent-encoded, the rest of the name as is. */
export function npmPurl(name: string): string {
  return `pkg:npm/${name.startsWith('@') ? `%40${name.slice(1)}` : name}`;
}

/** RFC 3339 in UTC with a Z, as OSV requires; our ISO strings already are. */
function rfc3339(iso: string): string {
  return new Date(iso).toISOString().replace(/\.000Z$/, 'Z');
}

/**
 * The record. A whole package is affected from its first version on: OSV says so with a SEMVER
 * range introduced at "0" (as the malicious-packages repository does), and lists the versions known.
 */
export function toOsvRecord(advisory: MaliciousAdvisory, registryUrl: string): OsvRecord {
  const { packageName: name } = advisory;
  const packageUrl = `${registryUrl}/package/${name}`;
  return {
    schema_version: OSV_SCHEMA_VERSION,
    id: advisory.id,
    modified: rfc3339(advisory.modifiedAt),
    published: rfc3339(advisory.publishedAt),
    summary: advisory.summary,
    details: advisory.details,
    affected: [
      {
        package: { ecosystem: 'npm', name, purl: npmPurl(name) },
        versions: [...advisory.versions],
        ...(advisory.allVersions && { ranges: [{ type: 'SEMVER' as const, events: [{ introduced: '0' }] }] }),
        database_specific: { source: 'gatehouse', all_versions: advisory.allVersions },
      },
    ],
    references: [{ type: 'PACKAGE', url: packageUrl }],
    database_specific: { source: 'gatehouse', registry: registryUrl, reports: [...advisory.reports] },
  };
}

/** The summary OSV shows in one line: which package and that it is malicious. */
export function maliciousSummary(name: string): string {
  return `Malicious code in ${name} (npm)`;
}
