export interface RecordAuditEventInput {
  workflowId: string;
  kind: string;
  actor?: string;
  subject?: string;
  detail?: Record<string, unknown>;
  /** Deterministic per event (workflow id, run id, sequence) so a retry inserts nothing twice. */
  idempotencyKey: string;
}
