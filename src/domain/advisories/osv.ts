// Reads one OSV record (https://ossf.github.io/osv-schema/) into what the registry keeps: the
// npm packages it affects, with npm's range strings, and npm's severity. Pure: no storage, no HTTP.
// attacker-controlled input (an imported file): every field is checked, and a record that cannot
// be read throws OsvRecordError with the field that is wrong, so the import skips only that record.
import semver from 'semver';
import { affectedVersions, intervalsOf, type RangeEvent } from './ranges.js';
import { scoreRecord, type Cvss, type Severity } from './severity.js';

export class OsvRecordError extends Error {
  constructor(
    message: string,
    /** The record's id when it had a readable one. */
    readonly id?: string,
  ) {
    super(message);
    this.name = 'OsvRecordError';
  }
}

export interface AffectedPackage {
  name: string;
  /** npm's `vulnerable_versions`. */
  range: string;
  /** pnpm's `patched_versions`. */
  patched: string;
  /** Fixed versions, lowest first. */
  fixed: string[];
}

export interface Advisory {
  /** The OSV id: GHSA-…, MAL-…, CVE-… */
  id: string;
  modified: string;
  withdrawn?: string;
  published?: string;
  aliases: string[];
  summary: string;
  details: string;
  severity: Severity;
  cvss?: Cvss;
  cwe: string[];
  /** Where a person reads more: the record's ADVISORY reference, else osv.dev's page. */
  url: string;
  packages: AffectedPackage[];
}

export type Parsed = { kind: 'advisory'; advisory: Advisory } | { kind: 'other-ecosystem'; id: string };

const MAX_TEXT = 64 * 1024;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, key: string, id?: string): string | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new OsvRecordError(`"${key}" must be a string`, id);
  return value.slice(0, MAX_TEXT);
}

function listOf(record: Record<string, unknown>, key: string, id: string): unknown[] {
  const value = record[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OsvRecordError(`"${key}" must be a list`, id);
  return value;
}

function isTime(value: string): boolean {
  return !Number.isNaN(Date.parse(value));
}

function version(value: unknown, where: string, id: string): string {
  const parsed = typeof value === 'string' ? semver.valid(value, { loose: true }) : null;
  if (!parsed) throw new OsvRecordError(`${where} is not a semver version: ${JSON.stringify(value)?.slice(0, 80)}`, id);
  return parsed;
}

function eventsOf(range: Record<string, unknown>, where: string, id: string): RangeEvent[] {
  const events = listOf(range, 'events', id);
  if (events.length === 0) throw new OsvRecordError(`${where}.events is empty`, id);
  return events.map((raw, i) => {
    const at = `${where}.events[${i}]`;
    if (!isObject(raw)) throw new OsvRecordError(`${at} must be an object`, id);
    const keys = (['introduced', 'fixed', 'last_affected', 'limit'] as const).filter((k) => raw[k] !== undefined);
    const key = keys[0];
    if (keys.length !== 1 || key === undefined)
      throw new OsvRecordError(`${at} must have exactly one of introduced, fixed, last_affected, limit`, id);
    if (key === 'introduced' && raw.introduced === '0') return { introduced: '0' };
    if (key === 'limit' && raw.limit === '*') return { limit: '*' };
    return { [key]: version(raw[key], `${at}.${key}`, id) };
  });
}

/** One `affected[]` entry's stretches and listed versions; non-semver (GIT) ranges say nothing about npm versions. */
function readAffected(entry: Record<string, unknown>, where: string, id: string) {
  const intervals = listOf(entry, 'ranges', id).flatMap((range, r) => {
    const at = `${where}.ranges[${r}]`;
    if (!isObject(range)) throw new OsvRecordError(`${at} must be an object`, id);
    if (range.type !== 'SEMVER' && range.type !== 'ECOSYSTEM') return [];
    return intervalsOf(eventsOf(range, at, id));
  });
  const versions = listOf(entry, 'versions', id).map((v, i) => version(v, `${where}.versions[${i}]`, id));
  return { intervals, versions };
}

function npmPackageName(entry: Record<string, unknown>): string | undefined {
  const pkg = entry.package;
  if (!isObject(pkg) || pkg.ecosystem !== 'npm') return undefined;
  return typeof pkg.name === 'string' && pkg.name !== '' ? pkg.name : undefined;
}

function cweOf(record: Record<string, unknown>): string[] {
  const specific = record.database_specific;
  const ids = isObject(specific) && Array.isArray(specific.cwe_ids) ? specific.cwe_ids : [];
  return ids.filter((c): c is string => typeof c === 'string');
}

function urlOf(record: Record<string, unknown>, id: string): string {
  const references = Array.isArray(record.references) ? record.references.filter(isObject) : [];
  const advisory = references.find((r) => r.type === 'ADVISORY' && typeof r.url === 'string' && /^https?:\/\//.test(r.url));
  return (advisory?.url as string | undefined) ?? `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

export function parseOsvRecord(raw: unknown): Parsed {
  if (!isObject(raw)) throw new OsvRecordError('an OSV record must be a JSON object');
  const id = stringField(raw, 'id');
  if (!id || !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(id)) throw new OsvRecordError('"id" is missing or not an OSV id');
  const modified = stringField(raw, 'modified', id);
  if (!modified || !isTime(modified)) throw new OsvRecordError('"modified" is missing or not an RFC 3339 time', id);
  const withdrawn = stringField(raw, 'withdrawn', id);
  if (withdrawn !== undefined && !isTime(withdrawn)) throw new OsvRecordError('"withdrawn" is not an RFC 3339 time', id);
  const affected = listOf(raw, 'affected', id);
  const byName = new Map<string, { intervals: ReturnType<typeof intervalsOf>; versions: string[] }>();
  let npmEntries = 0;
  affected.forEach((entry, i) => {
    if (!isObject(entry)) throw new OsvRecordError(`affected[${i}] must be an object`, id);
    const name = npmPackageName(entry);
    if (!name) return;
    npmEntries++;
    const read = readAffected(entry, `affected[${i}]`, id);
    const seen = byName.get(name) ?? { intervals: [], versions: [] };
    byName.set(name, { intervals: [...seen.intervals, ...read.intervals], versions: [...seen.versions, ...read.versions] });
  });
  if (npmEntries === 0) return { kind: 'other-ecosystem', id };
  const packages = [...byName].map(([name, read]) => {
    const versions = affectedVersions(read.intervals, read.versions);
    return { name, ...versions };
  });
  if (packages.every((p) => p.range === ''))
    throw new OsvRecordError('no npm version is affected: no SEMVER range and no versions', id);
  const severityList = listOf(raw, 'severity', id).filter(isObject);
  const specific = isObject(raw.database_specific) ? raw.database_specific : {};
  const scored = scoreRecord(severityList, specific.severity);
  const aliases = listOf(raw, 'aliases', id).filter((a): a is string => typeof a === 'string');
  const summary = stringField(raw, 'summary', id) ?? '';
  return {
    kind: 'advisory',
    advisory: {
      id,
      modified: new Date(modified).toISOString(),
      withdrawn: withdrawn === undefined ? undefined : new Date(withdrawn).toISOString(),
      published: stringField(raw, 'published', id),
      aliases,
      summary,
      details: stringField(raw, 'details', id) ?? '',
      severity: scored.severity,
      cvss: scored.cvss,
      cwe: cweOf(raw),
      url: urlOf(raw, id),
      packages: packages.filter((p) => p.range !== ''),
    },
  };
}

/** `MAL-` ids are OpenSSF malicious-package reports (and this registry's own feed). */
export function isMaliciousId(id: string): boolean {
  return id.startsWith('MAL-');
}
