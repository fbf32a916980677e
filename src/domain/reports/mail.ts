// Who is mailed about a report, and what the mail says. No report text travels by mail (mail is
// often read in the clear, and the event log it comes from is replicated): each mail says what
// happened and links to the report, which only its reporter, administrators and, for a
// vulnerability, the package's maintainers can read signed in.
import type { Repositories } from '../store.js';
import type { RegistryEvent } from '../events/store.js';

type Lookup = Pick<Repositories, 'users' | 'packages'>;
export type ReportRole = 'reporter' | 'maintainer';
export interface ReportRecipient {
  address: string;
  account: string;
  role: ReportRole;
}

/** Undefined for an event that is not about a report; else who hears of it (maybe no one). */
export async function reportRecipients(event: RegistryEvent, repos: Lookup): Promise<ReportRecipient[] | undefined> {
  const reporter = async (name: string): Promise<ReportRecipient[]> => {
    const user = await repos.users.byName(name);
    return user ? [{ address: user.email, account: user.name, role: 'reporter' }] : [];
  };
  const maintainers = async (): Promise<ReportRecipient[]> =>
    event.packageName
      ? (await repos.packages.owners(event.packageName)).map((o) => ({ address: o.email, account: o.name, role: 'maintainer' }))
      : [];
  switch (event.type) {
    case 'report.filed':
    case 'report.info_added':
      return event.data.reason === 'vulnerable' ? maintainers() : [];
    case 'report.info_requested':
    case 'report.confirmed':
    case 'report.dismissed':
      return reporter(event.data.reporter);
    default:
      return undefined;
  }
}

export interface ReportMailContent {
  subject: string;
  what: string;
  details?: string[];
  action?: string;
  ifNotYou: false;
}

export function reportMail(event: RegistryEvent, baseUrl: string): ReportMailContent | undefined {
  const subject = `${event.packageName ?? 'a package'}${event.version ? `@${event.version}` : ''}`;
  const link = (id: number) => `${baseUrl}/reports/${id}`;
  switch (event.type) {
    case 'report.filed':
      return {
        subject: `A vulnerability in ${subject} was reported to you privately`,
        what:
          `Someone reported a vulnerability in ${subject}, which you maintain. Only its maintainers, ` +
          `the reporter and this registry's administrators can read the report.`,
        action:
          `Read it (signed in) at:\n\n  ${link(event.data.report)}\n\n` +
          'Please fix it in a new version and deprecate the affected ones (`npm deprecate`).',
        ifNotYou: false,
      };
    case 'report.info_added':
      return {
        subject: `More about the vulnerability reported in ${subject}`,
        what: `The reporter added information to report ${event.data.report}.`,
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
