import type { Client } from '@temporalio/client';
import { cancelSignal, resolveSignal, type ResolutionRequest } from '../workflows/messages';

/**
 * A release manager's answers to a gate in `needs-resolution` (SPEC §5): `resolve` asks the
 * approvers again, `cancel` gives the gate up. Refused requests (not a release manager, gate
 * not waiting) are recorded by the workflow in its history and the audit table.
 */
export async function resolveGate(temporal: Client, workflowId: string, request: ResolutionRequest): Promise<void> {
  await temporal.workflow.getHandle(workflowId).signal(resolveSignal, request);
}

export async function cancelGate(temporal: Client, workflowId: string, request: ResolutionRequest): Promise<void> {
  await temporal.workflow.getHandle(workflowId).signal(cancelSignal, request);
}
