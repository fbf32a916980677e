// Reports and their moderation. Anyone signed in files one against a package or a version;
// administrators confirm it (a malicious package is quarantined and gets a MAL- advisory, a
// typosquat or spam is quarantined), dismiss it, or ask the reporter for more, who answers on the
// report's thread. Every step is one transaction with its event, and the events drive the mail:
// the reporter hears every outcome, a package's maintainers hear of a vulnerability report.
import type { Store, Repositories } from '../store.js';
import type { Clock } from '../clock.js';
import type { RequestContext } from '../access/context.js';
import { userActor, type Actor } from '../access/actor.js';
import type { User } from '../accounts/store.js';
import { fail } from '../errors.js';
import type { PackageName } from '../packages/names.js';
import { canRead } from '../packages/authorize.js';
import { isServed } from '../packages/store.js';
import { readFacts } from '../orgs/readers.js';
import { confirmMaliciousIn } from '../malicious/service.js';
import { quarantineVersions } from '../quarantine/hold.js';
import { canModerate, canReadReport, canReport, enforceReport, moderator, type ModerationCheck } from './authorize.js';
import {
  isOpen,
  isReportReason,
  isReportState,
  parseReportInput,
  reportText,
  type ReportReason,
  type ReportState,
} from './format.js';
import type { MessageRole, ReportMessage, ReportRecord } from './store.js';

export interface ReportsDeps {
  store: Store;
  clock: Clock;
  /** Reports one account may file in any 24 hours. */
  perDay: number;
  /** The administrator's second factor before each moderation action. */
  moderationCheck: ModerationCheck;
}

export interface ReportThread {
  report: ReportRecord;
  messages: ReportMessage[];
  /** How the reader takes part: reporter, admin or maintainer. */
  role: MessageRole;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const QUEUE_LIMIT = 500;

export class ReportService {
  constructor(private readonly deps: ReportsDeps) {}

  private now(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  /** Files a report: `{version?, reason, description}`. A package the reporter cannot read is not found. */
  async file(context: RequestContext, name: PackageName, body: unknown): Promise<ReportRecord> {
    const reporter = enforceReport(canReport(context.principal));
    const input = parseReportInput(body);
    const { store } = this.deps;
    const pkg = await store.packages.get(name);
    if (!pkg || pkg.unpublishedAt || !canRead(context.principal, await readFacts(store, name, pkg.visibility)).ok)
      fail('PackageNotFound', `There is no package named "${name}" here to report.`);
    if (input.version !== undefined) {
      const version = await store.packages.version(name, input.version);
      if (!version || !isServed(version)) fail('VersionNotFound', `${name} has no version ${input.version} to report.`);
    }
    const at = this.now();
    const id = await store.transaction(async (tx) => {
      await this.checkLimit(tx, reporter.id, at);
      const reportId = await tx.reports.insert({ ...input, packageName: name, reporterId: reporter.id, createdAt: at });
      await tx.events.append({
        type: 'report.filed',
        actor: userActor(reporter),
        packageName: name,
        ...(input.version !== undefined && { version: input.version }),
        data: { report: reportId, reason: input.reason },
        createdAt: at,
      });
      return reportId;
    });
    return (await store.reports.get(id))!;
  }

  /** The daily limit: a 429 whose Retry-After is when the oldest report of the window leaves it. */
  private async checkLimit(tx: Repositories, reporterId: number, at: string): Promise<void> {
    const since = new Date(Date.parse(at) - DAY_MS).toISOString();
    const { count, oldest } = await tx.reports.filedSince(reporterId, since);
    if (count < this.deps.perDay) return;
    const wait = oldest ? Math.max(1, Math.ceil((Date.parse(oldest) + DAY_MS - Date.parse(at)) / 1000)) : 3600;
    fail(
      'TooManyReports',
      `You filed ${count} reports in the last 24 hours, the limit here. Try again in ${Math.ceil(wait / 60)} minutes.`,
      { 'retry-after': String(wait) },
    );
  }

  /** The moderation queue: open reports first by default; filters by package, state and reason. */
  async queue(
    context: RequestContext,
    filter: { package?: unknown; state?: unknown; reason?: unknown },
  ): Promise<ReportRecord[]> {
    enforceReport(canModerate(context.principal));
    const state = filter.state === undefined || filter.state === '' ? undefined : filter.state;
    if (state !== undefined && state !== 'all' && !isReportState(state))
      fail('BadRequest', 'state is one of open, info-requested, confirmed, dismissed or all.');
    const reason = filter.reason === undefined || filter.reason === '' ? undefined : filter.reason;
    if (reason !== undefined && !isReportReason(reason)) fail('ReportReasonInvalid', 'reason is one of the report reasons.');
    const packageName = typeof filter.package === 'string' && filter.package !== '' ? filter.package : undefined;
    return this.deps.store.reports.list({
      ...(packageName !== undefined && { packageName }),
      ...(state !== undefined && state !== 'all' && { state: state as ReportState }),
      ...(reason !== undefined && { reason: reason as ReportReason }),
      limit: QUEUE_LIMIT,
    });
  }

  /** The reports a signed-in user filed, newest last. */
  mine(context: RequestContext): Promise<ReportRecord[]> {
    const user = enforceReport(canReport(context.principal));
    return this.deps.store.reports.list({ reporterId: user.id, limit: QUEUE_LIMIT });
  }

  /** One report and its thread, for its reporter, administrators and (vulnerabilities) the maintainers. */
  async thread(context: RequestContext, id: unknown): Promise<ReportThread> {
    const report = await this.find(this.deps.store, id);
    const owners = await this.deps.store.packages.owners(report.packageName);
    const allowed = canReadReport(context.principal, report, owners);
    if (!allowed.ok) fail(allowed.code, allowed.reason);
    return { report, messages: await this.deps.store.reports.messages(report.id), role: allowed.role };
  }

  private async find(repos: Repositories, id: unknown, lock = false): Promise<ReportRecord> {
    const n = typeof id === 'number' ? id : typeof id === 'string' && /^[1-9][0-9]{0,14}$/.test(id) ? Number(id) : NaN;
    const report = Number.isSafeInteger(n) ? await repos.reports.get(n, { lock }) : undefined;
    if (!report) fail('ReportNotFound', `There is no report ${String(id).slice(0, 20)} you can see.`);
    return report;
  }

  /**
   * Confirms the report. malicious: its version (or every version) quarantined and the package's
   * MAL- advisory published; typosquatting and spam: quarantined; vulnerable: recorded, for the
   * maintainers to fix (advisories for it come from the vulnerability database).
   */
  confirm(context: RequestContext, id: unknown, body: unknown): Promise<ReportRecord> {
    const note = optionalText(body);
    return this.moderate(context, id, body, async (tx, report, admin, at) => {
      const actor = userActor(admin);
      const { quarantined, advisory } = await confirmedOutcome(tx, report, note, actor, at);
      await this.resolve(tx, report, { state: 'confirmed', by: admin.id, at, note, advisory });
      await tx.events.append({
        type: 'report.confirmed',
        actor,
        packageName: report.packageName,
        ...(report.version !== undefined && { version: report.version }),
        data: { report: report.id, reporter: report.reporter, reason: report.reason, quarantined, ...(advisory && { advisory }) },
        createdAt: at,
      });
    });
  }

  dismiss(context: RequestContext, id: unknown, body: unknown): Promise<ReportRecord> {
    const note = optionalText(body);
    return this.moderate(context, id, body, async (tx, report, admin, at) => {
      await this.resolve(tx, report, { state: 'dismissed', by: admin.id, at, note });
      await tx.events.append({
        type: 'report.dismissed',
        actor: userActor(admin),
        packageName: report.packageName,
        data: { report: report.id, reporter: report.reporter },
        createdAt: at,
      });
    });
  }

  /** An administrator's question on the thread; the reporter is mailed and answers with `reply`. */
  askForInfo(context: RequestContext, id: unknown, body: unknown): Promise<ReportRecord> {
    const question = reportText(field(body, 'question') ?? field(body, 'text'), 'question');
    return this.moderate(context, id, body, async (tx, report, admin, at) => {
      await tx.reports.addMessage({
        reportId: report.id,
        authorId: admin.id,
        role: 'admin',
        kind: 'question',
        text: question,
        createdAt: at,
      });
      await tx.reports.setState(report.id, { state: 'info-requested', at });
      await tx.events.append({
        type: 'report.info_requested',
        actor: userActor(admin),
        packageName: report.packageName,
        data: { report: report.id, reporter: report.reporter },
        createdAt: at,
      });
    });
  }

  /** One moderation action: a moderator with a second factor, then `work` on the open report in one transaction. */
  private async moderate(
    context: RequestContext,
    id: unknown,
    body: unknown,
    work: (tx: Repositories, report: ReportRecord, admin: User, at: string) => Promise<void>,
  ): Promise<ReportRecord> {
    const admin = await moderator(context, body, this.deps.moderationCheck);
    const at = this.now();
    const reportId = await this.deps.store.transaction(async (tx) => {
      const report = await this.openReport(tx, id);
      await work(tx, report, admin, at);
      return report.id;
    });
    return (await this.deps.store.reports.get(reportId))!;
  }

  /**
   * A message on an open report's thread, from anyone who can read it: the reporter adding
   * information (a report waiting for it is open again), a maintainer answering a vulnerability
   * report, an administrator commenting. The others taking part are mailed.
   */
  async reply(context: RequestContext, id: unknown, body: unknown): Promise<ReportRecord> {
    const thread = await this.thread(context, id);
    const text = reportText(field(body, 'text'), 'message');
    const at = this.now();
    const author = context.principal.kind === 'user' || context.principal.kind === 'session' ? context.principal.user : undefined;
    if (!author) fail('Unauthenticated', 'Sign in to write on a report.');
    await this.deps.store.transaction(async (tx) => {
      const report = await this.openReport(tx, thread.report.id);
      await tx.reports.addMessage({
        reportId: report.id,
        authorId: author.id,
        role: thread.role,
        kind: 'reply',
        text,
        createdAt: at,
      });
      if (thread.role === 'reporter') await tx.reports.setState(report.id, { state: 'open', at });
      await tx.events.append({
        type: 'report.info_added',
        actor: userActor(author),
        packageName: report.packageName,
        data: { report: report.id, reason: report.reason, reporter: report.reporter, by: thread.role },
        createdAt: at,
      });
    });
    return (await this.deps.store.reports.get(thread.report.id))!;
  }

  private async openReport(tx: Repositories, id: unknown): Promise<ReportRecord> {
    const report = await this.find(tx, id, true);
    if (!isOpen(report.state)) fail('ReportClosed', `Report ${report.id} was ${report.state} already; nothing was changed.`);
    return report;
  }

  private async resolve(
    tx: Repositories,
    report: ReportRecord,
    change: { state: 'confirmed' | 'dismissed'; by: number; at: string; note: string | undefined; advisory?: string },
  ): Promise<void> {
    if (change.note !== undefined) {
      await tx.reports.addMessage({
        reportId: report.id,
        authorId: change.by,
        role: 'admin',
        kind: 'resolution',
        text: change.note,
        createdAt: change.at,
      });
    }
    await tx.reports.setState(report.id, {
      state: change.state,
      at: change.at,
      resolvedBy: change.by,
      ...(change.advisory !== undefined && { advisoryId: change.advisory }),
    });
  }
}

/** What confirming a report does to the package, by its reason (see `confirm`). */
async function confirmedOutcome(
  tx: Repositories,
  report: ReportRecord,
  note: string | undefined,
  actor: Actor,
  at: string,
): Promise<{ quarantined: string[]; advisory?: string }> {
  const versions = report.version === undefined ? ('all' as const) : [report.version];
  const ref = `report:${report.id}`;
  if (report.reason === 'malicious') {
    const details =
      note ??
      `${report.packageName} was reported as malicious and the registry's administrators confirmed it (report ${report.id}).`;
    const done = await confirmMaliciousIn(tx, {
      packageName: report.packageName,
      versions,
      details,
      cause: 'report',
      ref,
      actor,
      at,
      reportId: report.id,
    });
    return { quarantined: done.quarantined, advisory: done.advisory.id };
  }
  if (report.reason === 'typosquatting' || report.reason === 'spam')
    return {
      quarantined: await quarantineVersions(tx, { packageName: report.packageName, versions, cause: 'report', ref, actor, at }),
    };
  return { quarantined: [] };
}

function field(body: unknown, key: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
}

/** A moderator's optional note (`note`): absent or blank is none. */
function optionalText(body: unknown): string | undefined {
  const note = field(body, 'note');
  if (note === undefined || note === null || (typeof note === 'string' && note.trim() === '')) return undefined;
  return reportText(note, 'note');
}
