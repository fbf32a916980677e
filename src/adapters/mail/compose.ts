// One builder for every mail's RFC 5322 form: both transports hand nodemailer the same fields,
// so an .eml in the outbox folder is byte for byte what an SMTP server would have received.
import type { SendMailOptions, Transporter } from 'nodemailer';
import type { OutgoingMail } from '../../domain/mail/transport.js';

type Mailer = typeof import('nodemailer').default;

/**
 * The transporter `create` makes, made when the first mail is sent: nodemailer is loaded then, so
 * a registry that sends no mail never holds it (a few MB of heap for as long as it runs).
 */
export function onFirstMail(create: (mailer: Mailer) => Transporter): { get(): Promise<Transporter>; made(): boolean } {
  let transporter: Promise<Transporter> | undefined;
  return {
    get: () => (transporter ??= import('nodemailer').then(({ default: mailer }) => create(mailer))),
    made: () => transporter !== undefined,
  };
}

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
