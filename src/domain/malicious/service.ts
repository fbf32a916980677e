// Packages confirmed malicious: their versions quarantined and a MAL- advisory published, in one
// transaction, and the advisories served as an OSV feed (per record, an index, one zip archive).
// Whoever confirms (a moderator through a report, the malware scanner, an importer of OSV MAL-
// records) calls `confirmMalicious` or, inside its own transaction, `confirmMaliciousIn`.
import { createHash } from 'node:crypto';
import type { Repositories, Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { Actor } from '../access/actor.js';
import { fail } from '../errors.js';
import { quarantineVersions } from '../quarantine/hold.js';
import type { QuarantineCause } from '../quarantine/store.js';
import { isMalId, maliciousSummary, malId, toOsvRecord, type OsvRecord } from './osv.js';
import { osvArchive } from './archive.js';
import type { MaliciousAdvisory } from './store.js';

export interface ConfirmMaliciousInput {
  packageName: string;
  /** The versions found malicious; 'all' for the whole package (every version, later ones too). */
  versions: string[] | 'all';
  /** What the advisory says about it (shown in OSV's `details`). No secret. */
  details: string;
  cause: QuarantineCause;
  /** Why, for the quarantine events: a report id, a scan rule. */
  ref: string;
  actor: Actor;
  at: string;
  /** The report that led here, recorded in the advisory. */
  reportId?: number;
}

export interface Confirmed {
  advisory: MaliciousAdvisory;
  /** The versions this call put in quarantine (others were already, or gone). */
  quarantined: string[];
}

/**
 * Inside `tx`: quarantines the versions (every live one for 'all') and publishes the package's
 * MAL- advisory, or extends the one it has (more versions, a later `modified`).
 */
export async function confirmMaliciousIn(tx: Repositories, input: ConfirmMaliciousInput): Promise<Confirmed> {
  const { packageName, at } = input;
  const all = input.versions === 'all';
  const live = (await tx.packages.versions(packageName, { readmes: false })).filter((v) => !v.unpublishedAt);
  const named = all ? live.map((v) => v.version) : (input.versions as string[]);
  const quarantined = await quarantineVersions(tx, {
    packageName,
    versions: named,
    cause: input.cause,
    ref: input.ref,
    actor: input.actor,
    at,
  });
  const advisory = await publishAdvisoryIn(tx, { ...input, versions: named, allVersions: all });
  return { advisory, quarantined };
}

async function publishAdvisoryIn(
  tx: Repositories,
  input: ConfirmMaliciousInput & { versions: string[]; allVersions: boolean },
): Promise<MaliciousAdvisory> {
  const { packageName, at } = input;
  const reports = input.reportId === undefined ? [] : [input.reportId];
  const existing = await tx.malicious.forPackage(packageName);
  let advisory: MaliciousAdvisory;
  if (existing) {
    advisory = {
      ...existing,
      versions: [...new Set([...existing.versions, ...input.versions])],
      allVersions: existing.allVersions || input.allVersions,
      details: existing.details.includes(input.details) ? existing.details : `${existing.details}\n\n${input.details}`,
      modifiedAt: at,
      reports: [...new Set([...existing.reports, ...reports])],
    };
    await tx.malicious.update(advisory);
  } else {
    const year = new Date(at).getUTCFullYear();
    advisory = {
      id: malId(year, await tx.malicious.nextNumber(year)),
      packageName,
      versions: [...new Set(input.versions)],
      allVersions: input.allVersions,
      summary: maliciousSummary(packageName),
      details: input.details,
      publishedAt: at,
      modifiedAt: at,
      reports,
    };
    await tx.malicious.insert(advisory);
  }
  await tx.events.append({
    type: 'malicious_advisory.published',
    actor: input.actor,
    packageName,
    data: { id: advisory.id, versions: advisory.versions, allVersions: advisory.allVersions },
    createdAt: at,
  });
  return advisory;
}

export interface OsvIndexEntry {
  id: string;
  modified: string;
  package: string;
}

export interface MaliciousDeps {
  store: Store;
  clock: Clock;
  baseUrl: () => string;
}

export class MaliciousPackages {
  /** The archive as last built (buildArchive, run by the osv.archive job), by the fingerprint of its records. */
  private archive: OsvArchive | undefined;
  private building: Promise<boolean> | undefined;

  constructor(private readonly deps: MaliciousDeps) {}

  /** Quarantines and publishes the advisory in a transaction of its own (scanners, imports). */
  confirmMalicious(input: Omit<ConfirmMaliciousInput, 'at'> & { at?: string }): Promise<Confirmed> {
    const at = input.at ?? new Date(this.deps.clock.now()).toISOString();
    return this.deps.store.transaction((tx) => confirmMaliciousIn(tx, { ...input, at }));
  }

  /** The package's advisory, for its page and for publish policy. */
  forPackage(name: string): Promise<MaliciousAdvisory | undefined> {
    return this.deps.store.malicious.forPackage(name);
  }

  async record(id: string): Promise<OsvRecord> {
    const found = isMalId(id) ? await this.deps.store.malicious.byId(id) : undefined;
    if (!found)
      fail('AdvisoryNotFound', `There is no advisory ${id.slice(0, 40)} here; the list is at /-/gatehouse/v1/osv/index.json.`);
    return toOsvRecord(found, this.deps.baseUrl());
  }

  async records(): Promise<OsvRecord[]> {
    const all = await this.deps.store.malicious.all();
    return all.map((a) => toOsvRecord(a, this.deps.baseUrl()));
  }

  /** What osv.dev lists per ecosystem: each id with its last change. */
  async index(): Promise<OsvIndexEntry[]> {
    return (await this.records()).map((r) => ({ id: r.id, modified: r.modified, package: r.affected[0]!.package.name }));
  }

  /**
   * The last archive built, or undefined before the first build, which this starts (the route
   * answers 503 with Retry-After then). A read never builds: the zip is the osv.archive job's.
   */
  builtArchive(): OsvArchive | undefined {
    if (!this.archive) void this.buildArchive().catch(() => undefined);
    return this.archive;
  }

  /**
   * The osv.archive job's work: every record in one zip, rebuilt only when a record changed (or the
   * address it names did). True when it built a new one. A call while one runs joins it.
   */
  buildArchive(): Promise<boolean> {
    this.building ??= this.rebuild().finally(() => (this.building = undefined));
    return this.building;
  }

  private async rebuild(): Promise<boolean> {
    const records = await this.records();
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([this.deps.baseUrl(), ...records.map((r) => [r.id, r.modified])]))
      .digest('hex');
    if (this.archive?.fingerprint === fingerprint) return false;
    const bytes = osvArchive(records);
    this.archive = { fingerprint, bytes, etag: `"${createHash('sha256').update(bytes).digest('base64url')}"` };
    return true;
  }
}

export interface OsvArchive {
  fingerprint: string;
  bytes: Buffer;
  etag: string;
}

/** How often the osv.archive job looks for changed advisories; the 503 before the first build says to retry after it. */
export const OSV_ARCHIVE_INTERVAL_MS = 10_000;
