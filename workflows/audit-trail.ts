import { CancellationScope, log, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RecordAuditEventInput } from '../contracts/audit';
import type { NotificationMessage } from '../contracts/notifications';

const auditActivity = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds' },
});

// A local activity writes the row inside the workflow task that recorded it: no extra task
// round trip through the server, which matters for workflows that record on every signal.
const auditLocalActivity = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds' },
});

// A mail server that is down must not stall the workflow forever: after a few tries the
// notification is given up on and the audit table says so.
const { notify } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5, maximumInterval: '1 minute' },
});

type AuditEntry = { kind: 'audit'; event: string; actor?: string; detail: Record<string, unknown>; key: string };
type Entry = AuditEntry | { kind: 'notify'; message: NotificationMessage; key: string };

export interface AuditTrail {
  /** Queues an audit event; events reach the table in the order they were recorded. */
  record(event: string, actor: string | undefined, detail: Record<string, unknown>): void;
  /** Queues a notification (mail, or an audit row when the worker has no SMTP server). */
  notify(message: NotificationMessage): void;
  /** Resolves once everything recorded so far has been written. */
  settled(): Promise<void>;
  /** True when nothing is waiting to be written. */
  idle(): boolean;
}

/**
 * An ordered outbox of audit events and notifications. Handlers (signals, updates) record
 * synchronously; one background loop writes entries one at a time, so the audit table keeps
 * the order of the history, and a slow mail server never blocks a signal handler. The loop
 * runs outside cancellation: a cancelled workflow still records why.
 */
export function createAuditTrail(subject: string, options: { localActivities?: boolean } = {}): AuditTrail {
  const { recordAuditEvent } = options.localActivities ? auditLocalActivity : auditActivity;
  const pending: Entry[] = [];
  let sequence = 0;
  let draining: Promise<void> | undefined;
  const key = () => `${workflowInfo().workflowId}/${workflowInfo().runId}/${sequence++}`;

  const write = async (entry: Entry): Promise<void> => {
    const workflowId = workflowInfo().workflowId;
    if (entry.kind === 'audit') {
      await recordAuditEvent(auditEventOf(entry, workflowId, subject));
      return;
    }
    try {
      await notify({ ...entry.message, workflowId, idempotencyKey: entry.key });
    } catch (error) {
      log.warn('notification failed', { subject: entry.message.subject, error: String(error) });
      await recordAuditEvent({
        workflowId,
        kind: 'notification-failed',
        subject,
        detail: { recipients: entry.message.recipients, subject: entry.message.subject, error: String(error) },
        idempotencyKey: `${entry.key}/failed`,
      });
    }
  };

  // Local mode writes the audit rows waiting at the head in one call: the rows a handler
  // records together (requested, granted) cost one round trip, still in order.
  const writeAuditRun = async (): Promise<number> => {
    const run: AuditEntry[] = [];
    for (const entry of pending) {
      if (entry.kind !== 'audit') break;
      run.push(entry);
    }
    const workflowId = workflowInfo().workflowId;
    await auditLocalActivity.recordAuditEvents(run.map((entry) => auditEventOf(entry, workflowId, subject)));
    return run.length;
  };

  const drain = () =>
    CancellationScope.nonCancellable(async () => {
      while (pending.length > 0) {
        if (options.localActivities && pending[0].kind === 'audit') pending.splice(0, await writeAuditRun());
        else await write(pending[0]).then(() => pending.shift());
      }
      draining = undefined;
    });

  const enqueue = (entry: Entry) => {
    pending.push(entry);
    draining ??= drain();
  };

  return {
    record: (event, actor, detail) => enqueue({ kind: 'audit', event, actor, detail, key: key() }),
    notify: (message) => enqueue({ kind: 'notify', message, key: key() }),
    settled: async () => {
      while (draining) await draining;
    },
    idle: () => pending.length === 0,
  };
}

/** One row shape for both paths, so a row written alone and one written in a batch are the same row. */
function auditEventOf(entry: AuditEntry, workflowId: string, subject: string): RecordAuditEventInput {
  return {
    workflowId,
    kind: entry.event,
    actor: entry.actor,
    subject,
    detail: entry.detail,
    idempotencyKey: entry.key,
  };
}
