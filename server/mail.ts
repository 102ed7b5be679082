/** Outgoing e-mail: sent with nodemailer when SMTP_URL is set, otherwise logged (and kept for tests). */
import { redactLinks } from './http/redact';
import type nodemailerType from 'nodemailer';
import type { Logger } from './logger';

/** A file sent with a message; `cid` lets the HTML part show it inline (`<img src="cid:…">`). */
export type MailAttachment = { filename: string; content: Buffer; contentType: string; cid?: string };

/** One message: the plain text always; the sender's display name, an HTML part and attachments when branded. */
export type Mail = { to: string; subject: string; text: string; fromName?: string; html?: string; attachments?: MailAttachment[] };

/** Sends mail, or logs it when no SMTP server is configured. */
export type Mailer = { send(mail: Mail): Promise<void>; outbox: Mail[]; transport: 'smtp' | 'log' };

/** Creates the mailer for this configuration. */
export function createMailer(smtpUrl: string | undefined, from: string, logger: Logger): Mailer {
  const outbox: Mail[] = [];
  if (!smtpUrl) {
    return {
      transport: 'log',
      outbox,
      async send(mail) {
        outbox.push(mail);
        if (outbox.length > 200) outbox.shift();
        logger.info({ to: mail.to, subject: mail.subject }, `e-mail (not sent, no SMTP_URL; secret links redacted):\n${redactLinks(mail.text)}`);
      },
    };
  }
  // Loaded only when mail is really sent (most embedded installs have no SMTP server): keeps start-up short.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodemailer = require('nodemailer') as typeof nodemailerType;
  const transporter = nodemailer.createTransport(smtpUrl);
  return {
    transport: 'smtp',
    outbox,
    async send(mail) {
      try {
        const { fromName, ...message } = mail;
        await transporter.sendMail({ ...message, from: fromName ? { name: fromName, address: addressOf(from) } : from });
      } catch (err) {
        // Mail is a courtesy: the in-app notification already exists, so a mail failure must not fail the request.
        logger.error({ err, to: mail.to }, 'e-mail could not be sent');
      }
    },
  };
}

/** The bare address of a "Name <address>" sender. */
function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
}
