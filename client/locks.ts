/**
 * Instance locks through the client library: `client.locks` lists them, reads one, and lets an
 * admin force-release an instance from its holder.
 */
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
import type { ClientCore } from './core';
import { RefusedError } from './errors';

export class Locks {
  constructor(private readonly core: ClientCore) {}

  /**
   * Every running instance lock on the client's task queue with its holder and queue. The list
   * comes from Temporal's visibility store (eventually consistent: a lock started a moment ago may
   * be missing). Filtering by task queue matters: a query to a lock that no worker polls waits for
   * one until it times out, so locks of other deployments must not be asked.
   */
  async list(): Promise<InstanceLockStatus[]> {
    const query = `WorkflowType = '${INSTANCE_LOCK_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND TaskQueue = '${this.core.taskQueue}'`;
    const locks: InstanceLockStatus[] = [];
    for await (const execution of this.core.temporal.workflow.list({ query })) {
      locks.push(await this.core.call(execution.workflowId, (handle) => handle.query(lockStatusQuery)));
    }
    return locks.sort((a, b) => a.lockWorkflowId.localeCompare(b.lockWorkflowId));
  }

  async status(instance: InstanceRef): Promise<InstanceLockStatus> {
    return this.core.call(instanceLockWorkflowId(instance), (handle) => handle.query(lockStatusQuery));
  }

  /**
   * An admin frees the instance from its holder (audited with the reason); the next in the queue
   * gets it. RefusedError, with the reason, when the lock is free or the request names another
   * holder.
   */
  async forceRelease(instance: InstanceRef, request: ForceReleaseRequest): Promise<ForceReleaseResult> {
    return this.core.call(
      instanceLockWorkflowId(instance),
      (handle) => handle.executeUpdate(forceReleaseLockUpdate, { args: [request] }),
      { refused: (workflowId, failure) => new RefusedError(workflowId, failure.message, 'Force-release') },
    );
  }
}
