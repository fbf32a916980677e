// One builder for every mail's RFC 5322 form: both transports hand nodemailer the same fields,
// so an .eml in the outbox folder is byte for byte what an SMTP server would have received.
import type { SendMailOptions } from 'nodemailer';
import type { OutgoingMail } from '../../domain/mail/transport.js';

export function messageOf(mail: OutgoingMail): SendMailOptions {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    messageId: mail.messageId,
    date: new Date(mail.date),
    // Security mails are read as they are: no tracking headers, no HTML alternative.
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}
