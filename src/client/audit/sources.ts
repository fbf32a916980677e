// Where audit's advisories come from: the registry's bulk advisory endpoint (what `npm audit` asks,
// so it works against Gatehouse and any registry that serves it), or OSV records on disk (--osv: a
// file or a folder, which needs no registry at all). Both give the same KnownAdvisory; only OSV
// records can name the affected modules and functions, which reachability narrows to.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseOsvRecord, OsvRecordError } from '../../domain/advisories/osv.js';
import { SEVERITIES, type Severity } from '../../domain/advisories/severity.js';
import { ClientError } from '../errors.js';
import type { RegistryClient } from '../registry-client.js';

export interface KnownAdvisory {
  /** The OSV/GHSA id when known, else the registry's own number. */
  id: string;
  aliases: string[];
  title: string;
  severity: Severity;
  url: string;
  /** The package it affects and npm's range string for the affected versions. */
  name: string;
  range: string;
  /** `fixed` versions the record names (OSV only; the registry's answer carries none). */
  fixed: string[];
  /** What the OSV record says is affected inside the package; undefined: the whole package. */
  scope?: AffectedScope;
}

export interface AffectedScope {
  /** Module paths, `name/lib/file.js` or an export subpath `name/sub`. */
  modules: string[];
  /** Function or symbol names (not checked: assumed reachable when their module is). */
  functions: string[];
}

export interface AdvisorySource {
  /** How the output names it: the registry URL or the OSV path. */
  label: string;
  kind: 'registry' | 'osv';
  /** The advisories affecting any of these versions of each name. */
  lookup(request: Map<string, string[]>): Promise<KnownAdvisory[]>;
  /** Records that could not be read (OSV only), each with its file and why. */
  problems: string[];
}

const BULK = '-/npm/v1/security/advisories/bulk';

/** The registry has no bulk advisory endpoint: audit says so; install only notes it unless told to fail. */
export class NoAdvisories extends ClientError {}

interface BulkEntry {
  id?: unknown;
  url?: unknown;
  title?: unknown;
  severity?: unknown;
  vulnerable_versions?: unknown;
  github_advisory_id?: unknown;
  osv_id?: unknown;
}

export function registrySource(client: RegistryClient): AdvisorySource {
  return {
    label: client.registry,
    kind: 'registry',
    problems: [],
    async lookup(request) {
      if (request.size === 0) return [];
      const answer = await client.postJson<Record<string, unknown>>(BULK, Object.fromEntries(request));
      if (answer === undefined)
        throw new NoAdvisories(
          `${client.registry} offers no advisories (it has no bulk advisory endpoint, ${BULK}).\n` +
            'Audit against OSV records instead: gatehouse audit --osv PATH (a record, or a folder of them, e.g. the npm part of the OSV database).',
        );
      const out: KnownAdvisory[] = [];
      for (const [name, list] of Object.entries(answer)) {
        if (!Array.isArray(list)) continue;
        for (const raw of list as BulkEntry[]) {
          const range = typeof raw.vulnerable_versions === 'string' ? raw.vulnerable_versions : undefined;
          if (!range) continue;
          const id = [raw.osv_id, raw.github_advisory_id, raw.id].find((v) => typeof v === 'string' || typeof v === 'number');
          out.push({
            id: String(id ?? 'unknown'),
            aliases: typeof raw.github_advisory_id === 'string' && raw.github_advisory_id !== id ? [raw.github_advisory_id] : [],
            title: typeof raw.title === 'string' ? raw.title : '',
            severity: SEVERITIES.includes(raw.severity as Severity) ? (raw.severity as Severity) : 'high',
            url: typeof raw.url === 'string' ? raw.url : '',
            name,
            range,
            fixed: [],
          });
        }
      }
      return out;
    },
  };
}

/** One record is kilobytes; a file far larger is not an OSV record (nor a list of a few). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Every *.json file at `path` (itself, or below it when a folder), sorted for a stable report. */
async function jsonFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new ClientError(
      `Cannot open the OSV records at ${path}: ${err.code === 'ENOENT' ? 'no such file or folder' : err.message}`,
    );
  });
  if (info.isFile()) return [path];
  if (!info.isDirectory()) throw new ClientError(`Cannot read OSV records from ${path}: not a file or folder`);
  const found: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.json')) found.push(join(entry.parentPath, entry.name));
  }
  return found.sort();
}

/** Reads the npm records once; each lookup filters them. */
export async function osvSource(path: string): Promise<AdvisorySource> {
  const problems: string[] = [];
  const advisories: KnownAdvisory[] = [];
  for (const file of await jsonFiles(path)) {
    if ((await stat(file)).size > MAX_FILE_BYTES) {
      problems.push(`${file}: larger than ${MAX_FILE_BYTES} bytes, skipped`);
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      problems.push(`${file}: not JSON (${(err as Error).message})`);
      continue;
    }
    const records = Array.isArray(json) ? json : [json];
    records.forEach((record: unknown, i) => {
      const where = Array.isArray(json) ? `${file}[${i}]` : file;
      try {
        advisories.push(...fromOsv(record));
      } catch (err) {
        if (!(err instanceof OsvRecordError)) throw err;
        problems.push(`${where}${err.id ? ` (${err.id})` : ''}: ${err.message}`);
      }
    });
  }
  return {
    label: path,
    kind: 'osv',
    problems,
    async lookup(request) {
      return advisories.filter((a) => request.has(a.name));
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One OSV record as advisories, one per npm package it names; withdrawn records count for nothing. */
export function fromOsv(record: unknown): KnownAdvisory[] {
  const parsed = parseOsvRecord(record);
  if (parsed.kind !== 'advisory' || parsed.advisory.withdrawn !== undefined) return [];
  const a = parsed.advisory;
  return a.packages.map((pkg) => ({
    id: a.id,
    aliases: a.aliases,
    title: a.summary || a.id,
    severity: a.severity,
    url: a.url,
    name: pkg.name,
    range: pkg.range,
    fixed: pkg.fixed,
    scope: scopeOf(record as Record<string, unknown>, pkg.name),
  }));
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];

/**
 * The OSV schema leaves `ecosystem_specific` to each ecosystem; npm has no convention of its own,
 * so the two in use elsewhere are read: Go's `imports: [{ path, symbols }]` and RustSec's
 * `affects: { functions }`, plus the `affected_functions` list some npm converters write.
 */
function scopeOf(record: Record<string, unknown>, name: string): AffectedScope | undefined {
  const modules: string[] = [];
  const functions: string[] = [];
  for (const entry of Array.isArray(record.affected) ? record.affected.filter(isObject) : []) {
    const pkg = isObject(entry.package) ? entry.package : {};
    if (pkg.ecosystem !== 'npm' || pkg.name !== name || !isObject(entry.ecosystem_specific)) continue;
    const specific = entry.ecosystem_specific;
    for (const item of Array.isArray(specific.imports) ? specific.imports.filter(isObject) : []) {
      if (typeof item.path === 'string' && item.path !== '') modules.push(item.path);
      functions.push(...strings(item.symbols));
    }
    if (isObject(specific.affects)) functions.push(...strings(specific.affects.functions));
    functions.push(...strings(specific.affected_functions));
  }
  if (modules.length === 0 && functions.length === 0) return undefined;
  return { modules: [...new Set(modules)], functions: [...new Set(functions)] };
}
