// Sends mail through an SMTP server (GATEHOUSE_SMTP_URL, e.g. smtps://user:pass@mail.example:465).
// The URL holds a password: it is never logged, and errors are passed on without it.
import type { MailTransport, OutgoingMail } from '../../domain/mail/transport.js';
import { messageOf, onFirstMail } from './compose.js';

export class SmtpMailTransport implements MailTransport {
  private readonly transporter;

  constructor(url: string) {
    // One connection at a time: the outbox sends in order, and a pool would only hold sockets open.
    this.transporter = onFirstMail((mailer) => mailer.createTransport(url, { disableFileAccess: true, disableUrlAccess: true }));
  }

  async send(mail: OutgoingMail): Promise<void> {
    // Resolves once the server answered 250 to the message: accepted, now its to deliver.
    await (await this.transporter.get()).sendMail(messageOf(mail));
  }

  async close(): Promise<void> {
    if (this.transporter.made()) (await this.transporter.get()).close();
  }
}
