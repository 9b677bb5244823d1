import { RecordAuditEventInput } from '../../contracts/audit';
import type { AuditStore } from '../../store/audit-store';

export interface Clock {
  now(): Date;
}

export function createAuditActivities(deps: { auditStore: AuditStore; clock: Clock }) {
  return {
    async recordAuditEvent(input: RecordAuditEventInput): Promise<void> {
      await deps.auditStore.record({ ...input, occurredAt: deps.clock.now().toISOString() });
    },
    /** Several events in their order, in one call (each still skipped if already written). */
    async recordAuditEvents(inputs: RecordAuditEventInput[]): Promise<void> {
      for (const input of inputs)
        await deps.auditStore.record({ ...input, occurredAt: deps.clock.now().toISOString() });
    },
  };
}
