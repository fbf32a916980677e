// The mail domain wired in one place: the outbox worker over the transport the composition root
// chose (SMTP, or the outbox folder), run by the job runner on every instance that shares the
// database and woken at once by this instance's own commits. Every instance runs it (an instance
// job, not a cluster lease a crashed holder would keep for minutes): the cursor's compare-and-set
// and the row claims already keep two instances from sending one mail.
import type { JobRunner } from '../jobs/runner.js';
import type { EventType } from '../events/store.js';
import { MailOutbox, type OutboxDeps } from './outbox.js';

export interface MailDeps extends OutboxDeps {
  jobs: JobRunner;
  /** Milliseconds between the job's runs; 0 leaves sending to commits here and explicit calls. */
  intervalMs: number;
}

export interface MailDomain {
  mail: MailOutbox;
}

/** The event types some mail is sent for: a commit of one of these wakes the worker. */
export const MAILED_EVENTS: ReadonlySet<EventType> = new Set<EventType>([
  'email.verification_requested',
  'password.reset_requested',
  'password.changed',
  'email.changed',
  'mfa.enabled',
  'mfa.disabled',
  'webauthn.added',
  'webauthn.removed',
  'webauthn.writes_set',
  'recovery_codes.generated',
  'recovery_code.used',
  'token.created',
  'account.locked',
  'account.restricted',
  'owner.added',
  'account.recovered',
  'trusted_publisher.added',
  'trusted_publisher.removed',
  'trusted_publisher.pending_used',
  'token.leaked',
  'report.filed',
  'report.info_added',
  'report.info_requested',
  'report.confirmed',
  'report.dismissed',
  'version.staged',
  'version.quarantined',
  'version.released',
  'version.rejected',
  'provenance.declared',
]);

export function wireMail(deps: MailDeps): MailDomain {
  const mail = new MailOutbox(deps);
  if (deps.intervalMs > 0) {
    deps.jobs.define({ name: 'mail.outbox', intervalMs: deps.intervalMs, scope: 'instance', run: () => mail.deliver() });
  }
  return { mail };
}
