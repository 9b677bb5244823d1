import type { Knex } from 'knex';
import type { RecordAuditEventInput } from '../contracts/audit';
import { insertOnce } from './unique-violation';

/** An audit row: what the activity records, and when. Re-recording the same idempotency key is a no-op. */
export interface AuditEvent extends RecordAuditEventInput {
  occurredAt: string;
}

interface AuditRow {
  id: number;
  occurred_at: string;
  workflow_id: string;
  kind: string;
  actor: string | null;
  subject: string | null;
  detail: string | null;
  idempotency_key: string;
}

export class AuditStore {
  constructor(private readonly knex: Knex) {}

  async record(event: AuditEvent): Promise<void> {
    await insertOnce(
      this.knex<AuditRow>('audit_events').insert({
        occurred_at: event.occurredAt,
        workflow_id: event.workflowId,
        kind: event.kind,
        actor: event.actor ?? null,
        subject: event.subject ?? null,
        detail: event.detail ? JSON.stringify(event.detail) : null,
        idempotency_key: event.idempotencyKey,
      }),
    );
  }

  async listForWorkflow(workflowId: string): Promise<AuditEvent[]> {
    const rows = await this.knex<AuditRow>('audit_events').where({ workflow_id: workflowId }).orderBy('id');
    return rows.map((row) => ({
      occurredAt: row.occurred_at,
      workflowId: row.workflow_id,
      kind: row.kind,
      actor: row.actor ?? undefined,
      subject: row.subject ?? undefined,
      detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : undefined,
      idempotencyKey: row.idempotency_key,
    }));
  }
}
