// Who is mailed about a report, and what the mail says. No report text travels by mail (mail is
// often read in the clear, and the event log it comes from is replicated): each mail says what
// happened and links to the report, which only its reporter, administrators and, for a
// vulnerability, the package's maintainers can read signed in.
import type { Repositories } from '../store.js';
import type { RegistryEvent } from '../events/store.js';

type Lookup = Pick<Repositories, 'users' | 'packages' | 'reports'>;
export type ReportRole = 'reporter' | 'maintainer' | 'moderator';
export interface ReportRecipient {
  address: string;
  account: string;
  role: ReportRole;
}

/** Undefined for an event that is not about a report; else who hears of it (maybe no one). */
export async function reportRecipients(event: RegistryEvent, repos: Lookup): Promise<ReportRecipient[] | undefined> {
  // Every event passes here on its way to the outbox: the others cost no query.
  if (!event.type.startsWith('report.')) return undefined;
  const reporter = async (name: string): Promise<ReportRecipient[]> => {
    const user = await repos.users.byName(name);
    return user ? [{ address: user.email, account: user.name, role: 'reporter' }] : [];
  };
  const maintainers = async (): Promise<ReportRecipient[]> =>
    event.packageName
      ? (await repos.packages.owners(event.packageName)).map((o) => ({ address: o.email, account: o.name, role: 'maintainer' }))
      : [];
  const moderators = async (): Promise<ReportRecipient[]> =>
    (await repos.reports.moderators()).map((m) => ({ address: m.email, account: m.name, role: 'moderator' }));
  const author = event.actor.kind === 'user' ? (await repos.users.byId(event.actor.userId))?.name : undefined;
  // Whoever wrote is not told of their own message.
  const others = (list: ReportRecipient[]) => distinct(list.filter((r) => r.account !== author));
  switch (event.type) {
    case 'report.filed':
      return others([...(event.data.reason === 'vulnerable' ? await maintainers() : []), ...(await moderators())]);
    case 'report.info_added': {
      const vulnerable = event.data.reason === 'vulnerable';
      if (event.data.by === 'reporter') return others([...(vulnerable ? await maintainers() : []), ...(await moderators())]);
      return others([...(await reporter(event.data.reporter)), ...(vulnerable ? await maintainers() : [])]);
    }
    case 'report.info_requested':
    case 'report.confirmed':
    case 'report.dismissed':
      return reporter(event.data.reporter);
    default:
      return undefined;
  }
}

/** One mail per address: an administrator who maintains the package hears once, as a maintainer. */
function distinct(list: ReportRecipient[]): ReportRecipient[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const key = r.address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface ReportMailContent {
  subject: string;
  what: string;
  details?: string[];
  action?: string;
  ifNotYou: false;
}

export function reportMail(event: RegistryEvent, baseUrl: string, role: string): ReportMailContent | undefined {
  const subject = `${event.packageName ?? 'a package'}${event.version ? `@${event.version}` : ''}`;
  const link = (id: number) => `${baseUrl}/reports/${id}`;
  switch (event.type) {
    case 'report.filed':
      if (role === 'moderator') {
        return {
          subject: `New report ${event.data.report} (${event.data.reason}) about ${subject}`,
          what: `A report (${event.data.reason}) about ${subject} waits in the moderation queue.`,
          action: `Moderate it (signed in) at:\n\n  ${link(event.data.report)}\n\nThe queue: ${baseUrl}/admin/reports`,
          ifNotYou: false,
        };
      }
      return {
        subject: `A vulnerability in ${subject} was reported to you privately`,
        what:
          `Someone reported a vulnerability in ${subject}, which you maintain. Only its maintainers, ` +
          `the reporter and this registry's administrators can read the report.`,
        action:
          `Read it and answer (signed in) at:\n\n  ${link(event.data.report)}\n\n` +
          'Please fix it in a new version and deprecate the affected ones (`npm deprecate`).',
        ifNotYou: false,
      };
    case 'report.info_added':
      return {
        subject: `New message on report ${event.data.report} about ${subject}`,
        what: `The ${event.data.by === 'admin' ? "registry's administrators" : event.data.by} wrote on report ${event.data.report}.`,
        action: `Read it (signed in) at:\n\n  ${link(event.data.report)}`,
        ifNotYou: false,
      };
    case 'report.info_requested':
      return {
        subject: `Your report ${event.data.report} about ${subject}: more information needed`,
        what: `The registry's administrators asked a question about your report ${event.data.report}.`,
        action: `Read it and answer (signed in) at:\n\n  ${link(event.data.report)}`,
        ifNotYou: false,
      };
    case 'report.confirmed':
      return {
        subject: `Your report ${event.data.report} about ${subject} was confirmed`,
        what: `The registry's administrators confirmed your report ${event.data.report} (${event.data.reason}). Thank you.`,
        details: [
          ...(event.data.quarantined.length > 0 ? [`Quarantined: ${event.data.quarantined.join(', ')}`] : []),
          ...(event.data.advisory ? [`Advisory: ${baseUrl}/-/gatehouse/v1/osv/${event.data.advisory}.json`] : []),
        ],
        action: `The report: ${link(event.data.report)}`,
        ifNotYou: false,
      };
    case 'report.dismissed':
      return {
        subject: `Your report ${event.data.report} about ${subject} was dismissed`,
        what: `The registry's administrators looked at your report ${event.data.report} and found nothing to act on.`,
        action: `Any note they left is on the report: ${link(event.data.report)}`,
        ifNotYou: false,
      };
    default:
      return undefined;
  }
}
