import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  /** Derived from the notification's idempotency key, so mail clients fold a resent copy. */
  idempotencyKey: string;
}

/** Sends mail; built once in the worker from its settings. */
export interface Mailer {
  send(message: MailMessage): Promise<{ messageId: string }>;
  close(): void;
}

export interface SmtpSettings {
  /** `smtp://host:port` (or `smtps://user:password@host:port`); credentials stay in the worker. */
  url: string;
  from: string;
}

export function createSmtpMailer(settings: SmtpSettings): Mailer {
  const transport = nodemailer.createTransport(settings.url);
  const host = new URL(settings.url).hostname || 'localhost';
  return {
    async send(message) {
      const messageId = `<${createHash('sha256').update(message.idempotencyKey).digest('hex').slice(0, 32)}@stagecoach.${host}>`;
      await transport.sendMail({
        from: settings.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        messageId,
      });
      return { messageId };
    },
    close: () => transport.close(),
  };
}
