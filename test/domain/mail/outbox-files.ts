// Reads the outbox folder as the operator's mail client would: every .eml file parsed by
// mailparser, so tests assert on the headers and text a person sees, not on our encoding.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';

export interface ReceivedMail {
  file: string;
  messageId: string;
  to: string;
  from: string;
  subject: string;
  date: Date | undefined;
  text: string;
  headers: Map<string, unknown>;
}

export function outboxFolder(dataDir: string): string {
  return join(dataDir, 'mail', 'outbox');
}

export async function parseMail(raw: Buffer | string, file = ''): Promise<ReceivedMail> {
  const parsed = await simpleParser(raw);
  const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? '');
  return {
    file,
    messageId: parsed.messageId ?? '',
    to,
    from: parsed.from?.text ?? '',
    subject: parsed.subject ?? '',
    date: parsed.date,
    text: parsed.text ?? '',
    headers: parsed.headers,
  };
}

/** Every mail in the folder, in file-name order; temporary files are not mails. */
export async function readOutbox(dataDir: string): Promise<ReceivedMail[]> {
  const folder = outboxFolder(dataDir);
  if (!existsSync(folder)) return [];
  const names = readdirSync(folder)
    .filter((name) => name.endsWith('.eml'))
    .sort();
  return Promise.all(names.map((name) => parseMail(readFileSync(join(folder, name)), name)));
}

/** The link a verification mail carries. */
export function verificationLink(mail: ReceivedMail): string {
  const link = /https?:\/\/\S+\/verify-email\/\S+/.exec(mail.text)?.[0];
  if (!link) throw new Error(`no verification link in:\n${mail.text}`);
  return link;
}
