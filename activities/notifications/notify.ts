import { ApplicationFailure } from '@temporalio/common';
import type { AuditStore } from '../../store/audit-store';
import type { Clock } from '../audit/record-audit-event';
import type { Mailer } from './smtp-mailer';
import { NotifyInput, NotifyResult } from '../../contracts/notifications';

export interface NotificationDependencies {
  auditStore: AuditStore;
  clock: Clock;
  /** Absent when the worker has no SMTP server: notifications then land in the audit table. */
  mailer?: Mailer;
  /** Domain appended to user names that are not mail addresses (`alice` → `alice@<domain>`). */
  mailDomain?: string;
  /** The approval service's public URL: gate requests and reminders link to the gate's page there. */
  approvalUrl?: string;
}

export function createNotificationActivities(deps: NotificationDependencies) {
  const addressOf = (recipient: string) =>
    recipient.includes('@') ? recipient : `${recipient}@${deps.mailDomain ?? 'localhost'}`;

  return {
    /**
     * Sends a notification by mail, or records it in the audit table when no SMTP server is
     * configured. Either way an audit row with the idempotency key marks it done, so a retry
     * after a successful send does not mail twice (a crash between send and row can still
     * resend once; the Message-ID is stable so mail clients fold the copy).
     */
    async notify(input: NotifyInput): Promise<NotifyResult> {
      const addresses = [...new Set(input.recipients.map(addressOf))];
      if (addresses.length === 0) {
        throw ApplicationFailure.nonRetryable(`notification '${input.subject}' names no recipients`, 'NoRecipients');
      }
      // docs/approvals-locks-windows.md "Approval service": the approver decides from the link, without Temporal access.
      const text =
        input.gate && deps.approvalUrl
          ? `${input.text}\n\nDecide here: ${deps.approvalUrl.replace(/\/$/, '')}/gates/${encodeURIComponent(input.workflowId)}`
          : input.text;
      const doneKey = `${input.idempotencyKey}/notification`;
      const earlier = await deps.auditStore.listForWorkflow(input.workflowId);
      if (earlier.some((event) => event.idempotencyKey === doneKey)) return { delivery: 'already-sent', addresses };

      let messageId: string | undefined;
      if (deps.mailer) {
        ({ messageId } = await deps.mailer.send({
          to: addresses,
          subject: input.subject,
          text,
          idempotencyKey: input.idempotencyKey,
        }));
      }
      await deps.auditStore.record({
        workflowId: input.workflowId,
        kind: deps.mailer ? 'notification-sent' : 'notification',
        subject: input.subject,
        detail: { recipients: addresses, text, ...(messageId ? { messageId } : {}) },
        occurredAt: deps.clock.now().toISOString(),
        idempotencyKey: doneKey,
      });
      return { delivery: deps.mailer ? 'mail' : 'audit', addresses };
    },
  };
}
