// Without SMTP, each mail becomes one RFC 5322 file, <data>/mail/outbox/<message-id>.eml, for the
// operator to read or hand to a mail system. Written to a temporary name, flushed, then renamed:
// a reader never sees half a mail, and a retry of the same mail replaces its file, never adds one.
import { mkdirSync } from 'node:fs';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { MailTransport, OutgoingMail } from '../../domain/mail/transport.js';
import { messageOf, onFirstMail } from './compose.js';

const TEMPORARY = '.tmp-';

/** The file a mail is written to: its Message-ID, reduced to characters safe in any file name. */
export function outboxFileName(messageId: string): string {
  return `${messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._-]/g, '_')}.eml`;
}

export class OutboxFolderTransport implements MailTransport {
  private readonly composer = onFirstMail((mailer) =>
    mailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }),
  );

  constructor(private readonly folder: string) {
    mkdirSync(folder, { recursive: true });
  }

  async send(mail: OutgoingMail): Promise<void> {
    const composer = await this.composer.get();
    const info = (await composer.sendMail(messageOf(mail))) as { message: Buffer };
    const target = join(this.folder, outboxFileName(mail.messageId));
    const temporary = join(this.folder, `${TEMPORARY}${randomBytes(6).toString('hex')}`);
    const file = await open(temporary, 'wx', 0o600);
    try {
      await file.writeFile(info.message);
      // On disk before the outbox records it sent: a power cut must not lose a mail marked sent.
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, target);
  }

  /** Removes temporary files older than `ageMs`, left by a crash mid-write (their mail is retried). */
  async sweepTemporary(ageMs: number, now = Date.now()): Promise<void> {
    for (const name of await readdir(this.folder).catch(() => [] as string[])) {
      if (!name.startsWith(TEMPORARY)) continue;
      const path = join(this.folder, name);
      const info = await stat(path).catch(() => undefined);
      if (info && now - info.mtimeMs > ageMs) await rm(path, { force: true });
    }
  }

  async close(): Promise<void> {}
}
