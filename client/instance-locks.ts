import type { Client } from '@temporalio/client';
import type { InstanceRef } from '../domain/landscapes';
import {
  forceReleaseLockUpdate,
  type ForceReleaseRequest,
  type ForceReleaseResult,
  INSTANCE_LOCK_WORKFLOW_TYPE,
  type InstanceLockStatus,
  instanceLockWorkflowId,
  lockStatusQuery,
} from '../contracts/instance-locks';

/**
 * Every running instance lock on `taskQueue` with its holder and queue. The list comes from
 * Temporal's visibility store (eventually consistent: a lock started a moment ago may be
 * missing). Filtering by task queue matters: a query to a lock that no worker polls waits for
 * one until it times out, so locks of other deployments must not be asked.
 */
export async function listInstanceLocks(temporal: Client, taskQueue: string): Promise<InstanceLockStatus[]> {
  const query = `WorkflowType = '${INSTANCE_LOCK_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'`;
  const locks: InstanceLockStatus[] = [];
  for await (const execution of temporal.workflow.list({ query })) {
    locks.push(await temporal.workflow.getHandle(execution.workflowId).query(lockStatusQuery));
  }
  return locks.sort((a, b) => a.lockWorkflowId.localeCompare(b.lockWorkflowId));
}

export async function instanceLockStatus(temporal: Client, instance: InstanceRef): Promise<InstanceLockStatus> {
  return temporal.workflow.getHandle(instanceLockWorkflowId(instance)).query(lockStatusQuery);
}

/**
 * An admin frees an instance from its holder (audited with the reason); the next in the queue
 * gets it. Refused at once, with the reason, when the lock is free or the request names
 * another holder.
 */
export async function forceReleaseInstanceLock(
  temporal: Client,
  instance: InstanceRef,
  request: ForceReleaseRequest,
): Promise<ForceReleaseResult> {
  return temporal.workflow
    .getHandle(instanceLockWorkflowId(instance))
    .executeUpdate(forceReleaseLockUpdate, { args: [request] });
}
