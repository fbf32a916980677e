// The one review of quarantined versions, whatever held them: the administrators' queue, release
// and reject. Release serves the version again (a version held at publish is published then, as
// its publish would have been: its tag moved and package.published announced); reject makes it a
// tombstone whose tarball joins the scan's known-bad digests. Each is one transaction with its
// event (`version.released` / `version.rejected`), mailed to the publisher or the owners.
import type { Repositories, Store } from '../store.js';
import type { RequestContext } from '../access/context.js';
import { userActor } from '../access/actor.js';
import { fail } from '../errors.js';
import type { PackageName } from '../packages/names.js';
import { searchFields } from '../packages/publish/stored-fields.js';
import { digestKey } from '../scanning/known-bad.js';
import type { Finding } from '../scanning/evaluate.js';
import { canModerate, enforceReport, moderator, type ModerationCheck } from '../reports/authorize.js';
import type { QuarantineRecord } from './store.js';

export interface QuarantineEntry extends QuarantineRecord {
  /** The malware scan's findings, for a version it held (or scanned before a report quarantined it). */
  findings: Finding[];
}

export interface QuarantineDeps {
  store: Store;
  now: () => Date;
  /** The administrator's second factor before each release or reject. */
  moderationCheck: ModerationCheck;
}

const QUEUE_LIMIT = 500;
const MAX_NOTE = 1000;

export class QuarantineService {
  constructor(private readonly deps: QuarantineDeps) {}

  /** The versions waiting for review, oldest first. */
  async queue(context: RequestContext): Promise<QuarantineEntry[]> {
    enforceReport(canModerate(context.principal));
    const { store } = this.deps;
    const pending = await store.quarantines.pending(QUEUE_LIMIT);
    return Promise.all(pending.map((q) => entryOf(store, q)));
  }

  /** `code`: a web form's second-factor code (the API sends npm-otp). */
  release(context: RequestContext, name: PackageName, version: string, note: unknown, code?: unknown): Promise<QuarantineEntry> {
    return this.decide(context, name, version, note, 'released', code, async (tx, { record, held }, at) => {
      await tx.packages.setState(name, version, 'published');
      if (record.tag !== null) await tx.packages.setDistTag(name, record.tag, version);
      const searchable = record.tag === 'latest' ? searchFields(held.manifest) : {};
      await tx.packages.touch(name, { modifiedAt: at, ...searchable });
      // Held at publish, it was never announced: it is now, as any publish is (the publisher as its actor).
      if (record.tag !== null)
        await tx.events.append({
          type: 'package.published',
          actor: held.publisher,
          packageName: name,
          version,
          data: { tag: record.tag, integrity: held.integrity, size: held.size },
          createdAt: at,
        });
    });
  }

  reject(context: RequestContext, name: PackageName, version: string, note: unknown, code?: unknown): Promise<QuarantineEntry> {
    return this.decide(context, name, version, note, 'rejected', code, async (tx, { held }, at) => {
      await tx.packages.markUnpublished(name, version, at);
      await tx.packages.touch(name, { modifiedAt: at });
      const digest = digestKey(held.integrity);
      if (digest) await tx.scanning.addKnownBad([{ digest, note: `rejected ${name}@${version}` }], at);
    });
  }

  /** One review, in one transaction: the outcome's own changes, the review row and its event. */
  private async decide(
    context: RequestContext,
    name: PackageName,
    version: string,
    note: unknown,
    review: 'released' | 'rejected',
    code: unknown,
    apply: (tx: Repositories, pending: Pending, at: string) => Promise<void>,
  ): Promise<QuarantineEntry> {
    const admin = await moderator(context, { code }, this.deps.moderationCheck);
    const at = this.deps.now().toISOString();
    const text = noteOf(note);
    const record = await this.deps.store.transaction(async (tx) => {
      const pending = await pendingReview(tx, name, version);
      await apply(tx, pending, at);
      await tx.quarantines.setReview(name, version, review, admin.name, at, text || null);
      const data = { ref: pending.record.ref, note: text, ...publisherOf(pending.record) };
      const event = { actor: userActor(admin), packageName: name, version, createdAt: at };
      await tx.events.append(
        review === 'released' ? { ...event, type: 'version.released', data } : { ...event, type: 'version.rejected', data },
      );
      return { ...pending.record, review, reviewedBy: admin.name, reviewedAt: at, reviewNote: text || null };
    });
    return entryOf(this.deps.store, record);
  }
}

async function entryOf(repos: Repositories, record: QuarantineRecord): Promise<QuarantineEntry> {
  const scanned = await repos.scanning.result(record.packageName, record.version);
  return { ...record, findings: scanned?.findings ?? [] };
}

type Pending = Awaited<ReturnType<typeof pendingReview>>;

async function pendingReview(tx: Repositories, name: string, version: string) {
  const [record, held] = await Promise.all([tx.quarantines.get(name, version), tx.packages.version(name, version)]);
  if (!record || record.review !== 'pending' || !held || held.state !== 'quarantined' || held.unpublishedAt !== null) {
    fail('VersionNotQuarantined', `${name}@${version} is not waiting for review (released, rejected or never held).`);
  }
  return { record, held };
}

function publisherOf(record: QuarantineRecord): { publisher?: string } {
  return record.publisher === '' ? {} : { publisher: record.publisher };
}

function noteOf(note: unknown): string {
  return typeof note === 'string' ? note.slice(0, MAX_NOTE) : '';
}
