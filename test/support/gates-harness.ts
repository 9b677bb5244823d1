import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { GateDefinition } from '../../domain/gates';
import { AuditStore, type AuditEvent } from '../../store/audit-store';
import { type TemporalTestContext, uniqueId } from './temporal';
import type { ApprovalStatus } from '../../contracts/approvals';
import { pollUntil } from './poll';

/** Shared by the gate test files: open an approval gate, poll its status, read its audit rows. */
export function gate(overrides: Partial<GateDefinition> = {}): GateDefinition {
  return {
    name: 'uat-push',
    approvers: ['alice', 'bob'],
    requiredApprovals: 1,
    timeoutSeconds: 60,
    onTimeout: 'reject',
    ...overrides,
  };
}

export async function openGate(
  ctx: TemporalTestContext,
  definition: GateDefinition,
  extra: { releaseManagers?: string[] } = {},
): Promise<{ workflowId: string; subject: string }> {
  const workflowId = uniqueId('approval/acme');
  const subject = `acme 1.1 (${randomUUID().slice(0, 8)})`;
  await ctx.client.approvals.request(workflowId, { subject, requestedBy: 'rita', gate: definition, ...extra });
  return { workflowId, subject };
}

export async function statusWhen(
  ctx: TemporalTestContext,
  workflowId: string,
  predicate: (status: ApprovalStatus) => boolean,
  timeoutMs = 30_000,
): Promise<ApprovalStatus> {
  return pollUntil('status', () => ctx.client.approvals.status(workflowId), predicate, { timeoutMs, intervalMs: 150 });
}

export async function auditEvents(controlDb: Knex, workflowId: string): Promise<AuditEvent[]> {
  return new AuditStore(controlDb).listForWorkflow(workflowId);
}

/** Audit kinds without notification rows (those are asserted through the mail that arrived). */
export async function auditKinds(controlDb: Knex, workflowId: string): Promise<string[]> {
  return (await auditEvents(controlDb, workflowId))
    .map((e) => e.kind)
    .filter((kind) => !kind.startsWith('notification'));
}
