// What the reports domain keeps: reports and the messages on each (the Kysely version is
// storage/db/reports.ts). Storage knows nothing of who may see what; service.ts decides.
import type { ReportReason, ReportState } from './format.js';

/** Who wrote a message on a report, as the thread shows it. */
export type MessageRole = 'reporter' | 'admin' | 'maintainer';

/** `question`: an administrator asks the reporter for more; `reply`: anyone's answer; `resolution`: the outcome's note. */
export type MessageKind = 'question' | 'reply' | 'resolution';

export interface ReportRecord {
  id: number;
  packageName: string;
  /** Undefined: the whole package is reported. */
  version: string | undefined;
  reason: ReportReason;
  description: string;
  reporterId: number;
  /** The reporter's name, joined in for listings. */
  reporter: string;
  state: ReportState;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | undefined;
  resolvedBy: number | undefined;
  /** The MAL- advisory a confirmation published or extended. */
  advisoryId: string | undefined;
}

export interface ReportMessage {
  id: number;
  reportId: number;
  authorId: number;
  author: string;
  role: MessageRole;
  kind: MessageKind;
  text: string;
  createdAt: string;
}

export interface NewReport {
  packageName: string;
  version: string | undefined;
  reason: ReportReason;
  description: string;
  reporterId: number;
  createdAt: string;
}

export interface ReportFilter {
  packageName?: string;
  state?: ReportState;
  reason?: ReportReason;
  reporterId?: number;
  /** Oldest first (a queue); at most this many. */
  limit: number;
}

export interface ReportStore {
  insert(report: NewReport): Promise<number>;
  /** `lock`, inside a transaction: holds the row until it ends, so two moderators cannot both resolve it. */
  get(id: number, opts?: { lock?: boolean }): Promise<ReportRecord | undefined>;
  list(filter: ReportFilter): Promise<ReportRecord[]>;
  /** How many reports the user filed at or after `since`, and the oldest of them. */
  filedSince(reporterId: number, since: string): Promise<{ count: number; oldest: string | undefined }>;
  setState(id: number, change: { state: ReportState; at: string; resolvedBy?: number; advisoryId?: string }): Promise<void>;
  addMessage(message: Omit<ReportMessage, 'id' | 'author'>): Promise<number>;
  messages(reportId: number): Promise<ReportMessage[]>;
  /** The administrators, who moderate: mailed when a report is filed or answered. */
  moderators(): Promise<{ name: string; email: string }[]>;
}
