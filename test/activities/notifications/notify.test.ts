import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createNotificationActivities } from '../../../activities/notifications/notify';
import { createSmtpMailer, type Mailer } from '../../../activities/notifications/smtp-mailer';
import { AuditStore } from '../../../store/audit-store';
import { openControlDatabase } from '../../../store/control-database';
import { createScratchDatabase } from '../../support/postgres';
import { startLocalSmtpServer, type LocalSmtpServer } from '../../support/smtp-server';

// The notify activity against a real SMTP server and a real control database.
let controlDb: Knex;
let smtp: LocalSmtpServer;
let mailer: Mailer;
let dropDatabase: () => Promise<void>;
const clock = { now: () => new Date('2026-07-01T10:00:00Z') };

beforeAll(async () => {
  const database = await createScratchDatabase('notify');
  dropDatabase = database.drop;
  controlDb = await openControlDatabase(database.url);
  smtp = await startLocalSmtpServer();
  mailer = createSmtpMailer({ url: smtp.url, from: 'stagecoach@example.test' });
});

afterAll(async () => {
  mailer?.close();
  await smtp?.close();
  await controlDb?.destroy();
  await dropDatabase?.();
});

const message = (workflowId: string) => ({
  workflowId,
  idempotencyKey: `${workflowId}/run/3`,
  recipients: ['alice', 'bob@elsewhere.test', 'alice'],
  subject: `Approval requested (${workflowId})`,
  text: 'please decide',
});

describe('notify', () => {
  it('mails each recipient once, records it, and does not mail again on a retry', async () => {
    const { notify } = createNotificationActivities({
      auditStore: new AuditStore(controlDb),
      clock,
      mailer,
      mailDomain: 'example.test',
    });
    const input = message('release/acme/1.1');
    expect(await notify(input)).toEqual({ delivery: 'mail', addresses: ['alice@example.test', 'bob@elsewhere.test'] });
    const [mail] = await smtp.waitFor((mails) => mails.some((m) => m.subject.includes(input.workflowId)));
    expect(mail).toMatchObject({ from: 'stagecoach@example.test', to: ['alice@example.test', 'bob@elsewhere.test'] });
    expect(mail.raw).toContain('please decide');

    expect((await notify(input)).delivery).toBe('already-sent');
    expect(smtp.received.filter((m) => m.subject.includes(input.workflowId))).toHaveLength(1);
    const rows = await new AuditStore(controlDb).listForWorkflow(input.workflowId);
    expect(rows).toMatchObject([
      {
        kind: 'notification-sent',
        subject: input.subject,
        detail: { recipients: ['alice@example.test', 'bob@elsewhere.test'] },
      },
    ]);
  });

  it('writes the notification to the audit table when no SMTP server is configured', async () => {
    const { notify } = createNotificationActivities({ auditStore: new AuditStore(controlDb), clock });
    const input = message('release/acme/1.2');
    expect((await notify(input)).delivery).toBe('audit');
    const rows = await new AuditStore(controlDb).listForWorkflow(input.workflowId);
    expect(rows).toMatchObject([
      {
        kind: 'notification',
        detail: { recipients: ['alice@localhost', 'bob@elsewhere.test'], text: 'please decide' },
      },
    ]);
  });

  it('refuses, without retrying, a notification to nobody', async () => {
    const { notify } = createNotificationActivities({ auditStore: new AuditStore(controlDb), clock });
    await expect(notify({ ...message('release/acme/1.3'), recipients: [] })).rejects.toMatchObject({
      nonRetryable: true,
      type: 'NoRecipients',
    });
  });
});
