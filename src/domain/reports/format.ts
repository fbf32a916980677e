// What a report is made of, and the one parser that turns a posted body (API JSON or a web form)
// into one. attacker-controlled: every field is checked here, before anything is read or written,
// so a bad report is refused with a code and leaves no trace. Imports nothing from storage or http.
import { fail } from '../errors.js';

/** Why someone reports a package; `vulnerable` goes privately to its maintainers as well. */
export const REPORT_REASONS = ['malicious', 'typosquatting', 'spam', 'vulnerable'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

/**
 * Where a report stands. `open` waits for an administrator; `info-requested` waits for the
 * reporter (an answer reopens it); `confirmed` and `dismissed` are final.
 */
export const REPORT_STATES = ['open', 'info-requested', 'confirmed', 'dismissed'] as const;
export type ReportState = (typeof REPORT_STATES)[number];

/** Longest description or message, in characters: a long write-up fits, a pasted tarball does not. */
export const MAX_REPORT_TEXT = 10_000;

export interface ReportInput {
  version: string | undefined;
  reason: ReportReason;
  description: string;
}

export function isReportReason(value: unknown): value is ReportReason {
  return (REPORT_REASONS as readonly unknown[]).includes(value);
}

export function isReportState(value: unknown): value is ReportState {
  return (REPORT_STATES as readonly unknown[]).includes(value);
}

export function isOpen(state: ReportState): boolean {
  return state === 'open' || state === 'info-requested';
}

/** `{version?, reason, description}`: an empty version field (a web form's) is no version. */
export function parseReportInput(body: unknown): ReportInput {
  const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const { reason, version } = fields;
  if (!isReportReason(reason)) {
    fail('ReportReasonInvalid', `Say why you report the package: reason is one of ${REPORT_REASONS.join(', ')}.`);
  }
  if (version !== undefined && version !== null && typeof version !== 'string') {
    fail('InvalidVersion', 'version must be a string such as "1.2.3", or left out to report the whole package.');
  }
  const trimmed = typeof version === 'string' ? version.trim() : '';
  if (trimmed.length > 256) fail('InvalidVersion', 'That is not a version of this package.');
  return { version: trimmed === '' ? undefined : trimmed, reason, description: reportText(fields.description, 'description') };
}

/** A description or a message: text, not blank, at most MAX_REPORT_TEXT characters, without NULs. */
export function reportText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    fail('ReportTextInvalid', `Write the ${field}: what you found, where, and how to see it.`);
  }
  const text = value.replace(/\r\n?/g, '\n').trim();
  if (text.length > MAX_REPORT_TEXT) {
    fail(
      'ReportTextInvalid',
      `The ${field} is ${text.length} characters; the limit is ${MAX_REPORT_TEXT}. Shorten it or link to details.`,
    );
  }
  // NUL has no place in text and PostgreSQL refuses it in a text column.
  if (text.includes('\u0000')) fail('ReportTextInvalid', `The ${field} contains a NUL character.`);
  return text;
}
