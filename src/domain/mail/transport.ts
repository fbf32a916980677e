// How a finished mail leaves the registry. The domain owns this interface; src/adapters/mail/
// implements it (SMTP through nodemailer, or .eml files in the outbox folder). A transport gets
// the whole message, secrets in links included, so it must never log a body.

export interface OutgoingMail {
  /** `<…@…>`, the same on every attempt: a receiver (or the outbox folder) sees one mail, not two. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  /** Plain text; lines under 78 characters where the content allows. */
  text: string;
  /** ISO time of the event, so a retried mail is the same bytes. */
  date: string;
}

export interface MailTransport {
  /** Resolves once the mail is accepted (written, or taken by the SMTP server); throws otherwise. */
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}
