// Vulnerability advisories (docs/advisories.md): OSV records imported by `gatehouse advisories
// import`, answered to `npm audit` / `pnpm audit`, shown on package pages, and asked by the malware
// scanner for `MAL-` records. An import writes each batch and its event in one transaction; a
// record that cannot be read is reported with its file and reason and skipped, never the batch.
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { RequestContext } from '../access/context.js';
import { browses } from '../orgs/access.js';
import { fail } from '../errors.js';
import { SYSTEM_ACTOR } from '../access/actor.js';
import { isMaliciousId, OsvRecordError, parseOsvRecord, type Advisory } from './osv.js';
import { fixFor, isAffected, SEMVER_OPTIONS } from './ranges.js';
import { bulkAnswer, bySeverity, parseBulkRequest, quickAnswer, treeNodes } from './npm-audit.js';
import type { StoredAdvisory } from './store.js';
import type { Severity } from './severity.js';
import semver from 'semver';
import { canActAsUser } from '../accounts/authorize.js';
import { enforce } from '../access/principal.js';
import { tokenAllows } from '../tokens/scopes.js';
import type { OsvSources, SourcedRecord } from './sources.js';

export interface ImportError {
  file: string;
  id?: string;
  reason: string;
}

export interface ImportSummary {
  read: number;
  added: number;
  updated: number;
  unchanged: number;
  withdrawn: number;
  /** Records with no npm package: not errors, nothing to keep. */
  otherEcosystems: number;
  errors: ImportError[];
}

/** What a page shows of one advisory for one package version. */
export interface VersionAdvisory {
  id: string;
  severity: Severity;
  summary: string;
  url: string;
  /** The lowest fixed version above the one shown, if any. */
  fixedIn?: string;
}

export interface DependencyAdvisories {
  name: string;
  range: string;
  /** The highest version in this registry the range allows, as this reader sees the registry. */
  resolved?: string;
  advisories: VersionAdvisory[];
}

/** The `MAL-` records naming a package, for the malware scanner (domain/scanning). */
export interface MaliciousRecord {
  id: string;
  summary: string;
  /** npm's range string of the versions it names (`>=0.0.0` for every version). */
  range: string;
  modified: string;
  /** The OSV record as imported (its `database_specific` may carry file digests). */
  record: unknown;
}

export interface AdvisoryServiceOptions {
  store: Store;
  clock: Clock;
  /** Whether readers without a token may audit (config anonymousReads), as they may read. */
  anonymousReads: boolean;
  /** The versions of `name` this reader may install from this registry, or undefined when it may not see the package. */
  servedVersions: (context: RequestContext, name: string) => Promise<string[] | undefined>;
  /** Opens the files, folders and zips `importFrom` is given. */
  sources: OsvSources;
  /** Records written per transaction. */
  batchSize?: number;
}

export class AdvisoryService {
  constructor(private readonly opts: AdvisoryServiceOptions) {}

  /** Imports the records of a file, folder or zip; throws SourceUnreadable when `path` cannot be opened. */
  async importFrom(path: string): Promise<ImportSummary> {
    return this.import(path, await this.opts.sources.open(path));
  }

  /** Imports every record `records` yields; re-running with newer copies updates, older or equal ones change nothing. */
  async import(source: string, records: AsyncIterable<SourcedRecord>): Promise<ImportSummary> {
    const summary: ImportSummary = { read: 0, added: 0, updated: 0, unchanged: 0, withdrawn: 0, otherEcosystems: 0, errors: [] };
    let batch: { advisory: Advisory; json: unknown }[] = [];
    const size = this.opts.batchSize ?? 500;
    for await (const item of records) {
      summary.read++;
      if (item.error !== undefined) {
        summary.errors.push({ file: item.file, reason: item.error });
        continue;
      }
      try {
        const parsed = parseOsvRecord(item.json);
        if (parsed.kind === 'other-ecosystem') summary.otherEcosystems++;
        else batch.push({ advisory: parsed.advisory, json: item.json });
      } catch (err) {
        if (!(err instanceof OsvRecordError)) throw err;
        summary.errors.push({ file: item.file, id: err.id, reason: err.message });
      }
      if (batch.length >= size) {
        await this.writeBatch(source, batch, summary);
        batch = [];
      }
    }
    if (batch.length > 0) await this.writeBatch(source, batch, summary);
    return summary;
  }

  private async writeBatch(source: string, batch: { advisory: Advisory; json: unknown }[], summary: ImportSummary) {
    // The newest copy of each id within the batch: an archive may hold one record twice.
    const newest = new Map<string, { advisory: Advisory; json: unknown }>();
    for (const item of batch) {
      const seen = newest.get(item.advisory.id);
      if (!seen || seen.advisory.modified < item.advisory.modified) newest.set(item.advisory.id, item);
      else summary.unchanged++;
    }
    await this.opts.store.transaction(async (tx) => {
      const stored = await tx.advisories.modifiedOf([...newest.keys()]);
      const counts = { added: 0, updated: 0, withdrawn: 0 };
      const changed: { advisory: Advisory; record: string }[] = [];
      for (const { advisory, json } of newest.values()) {
        const before = stored.get(advisory.id);
        if (before !== undefined && before >= advisory.modified) {
          summary.unchanged++;
          continue;
        }
        changed.push({ advisory, record: JSON.stringify(json) });
        if (advisory.withdrawn) counts.withdrawn++;
        else counts[before === undefined ? 'added' : 'updated']++;
      }
      await tx.advisories.upsertMany(changed);
      if (counts.added + counts.updated + counts.withdrawn === 0) return;
      await tx.events.append({
        type: 'advisories.imported',
        actor: SYSTEM_ACTOR,
        // The file's name, not the operator's folders: events may be replicated to mirrors.
        data: { source: (source.split(/[\\/]/).filter(Boolean).pop() ?? source).slice(0, 200), ...counts },
        createdAt: new Date(this.opts.clock.now()).toISOString(),
      });
      summary.added += counts.added;
      summary.updated += counts.updated;
      summary.withdrawn += counts.withdrawn;
    });
  }

  /**
   * POST /-/gatehouse/v1/admin/advisories: one record or a list, for a fleet whose operators reach
   * no database. Administrators only, with a token that can manage.
   */
  async importBody(context: RequestContext, body: unknown): Promise<ImportSummary> {
    const { user, token } = enforce(canActAsUser(context.principal, 'import advisories'));
    if (!user.isAdmin) fail('Forbidden', 'Only an administrator imports advisories.');
    if (!tokenAllows(token, 'manage')) fail('TokenReadOnly', 'Importing advisories needs a token that can manage.');
    const list = Array.isArray(body) ? body : [body];
    async function* records(): AsyncGenerator<SourcedRecord> {
      for (const [i, json] of list.entries()) yield { file: `body[${i}]`, json };
    }
    return this.import(`api:${user.name}`, records());
  }

  /** POST /-/npm/v1/security/advisories/bulk (npm 7+, pnpm 11+). */
  async bulk(context: RequestContext, body: unknown) {
    this.mayAudit(context);
    const request = parseBulkRequest(body);
    return bulkAnswer(request, await this.opts.store.advisories.forPackages([...request.keys()]));
  }

  /** POST /-/npm/v1/security/audits/quick and /audits (npm 6's tree, which pnpm 10 sends). */
  async quick(context: RequestContext, body: unknown) {
    this.mayAudit(context);
    const nodes = treeNodes(body);
    return quickAnswer(nodes, await this.opts.store.advisories.forPackages(nodes.map((n) => n.name)));
  }

  /** The live advisories affecting `name@version`, most serious first. */
  async forVersion(name: string, version: string): Promise<VersionAdvisory[]> {
    return forVersionFrom(await this.opts.store.advisories.forPackages([name]), name, version);
  }

  /**
   * Each direct dependency resolved to the highest version in this registry its range allows (as
   * this reader sees the registry, so a private package stays unseen), with that version's advisories.
   * A dependency the registry does not have is listed unresolved, without advisories.
   */
  async forDependencies(context: RequestContext, dependencies: Record<string, string>): Promise<DependencyAdvisories[]> {
    const entries = Object.entries(dependencies).filter(([, range]) => typeof range === 'string');
    const stored = await this.opts.store.advisories.forPackages(entries.map(([name]) => name));
    return Promise.all(
      entries.map(async ([name, range]) => {
        const versions = stored.some((a) => a.packages.some((p) => p.name === name))
          ? await this.opts.servedVersions(context, name)
          : undefined;
        const resolved = versions && semver.validRange(range) ? (semver.maxSatisfying(versions, range) ?? undefined) : undefined;
        return { name, range, resolved, advisories: resolved ? forVersionFrom(stored, name, resolved) : [] };
      }),
    );
  }

  /** Live `MAL-` records naming `name`, whatever versions they name. */
  async maliciousVersions(name: string): Promise<MaliciousRecord[]> {
    const found = await this.opts.store.advisories.withPrefix('MAL-', name);
    return found.flatMap((a) =>
      a.packages
        .filter((p) => p.name === name)
        .map((p) => ({
          id: a.id,
          summary: a.summary,
          range: p.range,
          modified: a.modified,
          record: JSON.parse(a.record) as unknown,
        })),
    );
  }

  /** The first live `MAL-` record naming `name@version`, or undefined. */
  async isMalicious(name: string, version: string): Promise<MaliciousRecord | undefined> {
    return (await this.maliciousVersions(name)).find((m) => isMaliciousId(m.id) && isAffected(version, m.range));
  }

  count(): Promise<number> {
    return this.opts.store.advisories.count();
  }

  private mayAudit(context: RequestContext): void {
    const denied = browses(context.principal, this.opts.anonymousReads);
    if (denied) fail(denied.code, denied.reason);
  }
}

function forVersionFrom(stored: StoredAdvisory[], name: string, version: string): VersionAdvisory[] {
  const out: VersionAdvisory[] = [];
  for (const advisory of stored) {
    const pkg = advisory.packages.find((p) => p.name === name);
    if (!pkg || !isAffected(version, pkg.range)) continue;
    out.push({
      id: advisory.id,
      severity: advisory.severity,
      summary: advisory.summary,
      url: advisory.url,
      fixedIn: semver.valid(version, SEMVER_OPTIONS) ? fixFor(version, pkg.fixed) : undefined,
    });
  }
  return bySeverity(out);
}
