import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  acquireLockSignal,
  acquireLockUpdate,
  INSTANCE_LOCK_WORKFLOW_TYPE,
  type HolderState,
  type InstanceLockInput,
  type RequestInstanceLockInput,
} from '../../contracts/instance-locks';

export interface InstanceLockDependencies {
  /** A Temporal client: activities start, signal and describe workflows with it. */
  temporal: Client;
  /** How often a lock checks that its holder still runs (default 60 s; tests use 1 s). */
  holderCheckSeconds?: number;
  /** History length after which a lock continues as new, besides the server's suggestion. */
  maxHistoryEvents?: number;
}

const LOCK_REQUESTS_IN_FLIGHT = 16;

function lockInputFor(deps: InstanceLockDependencies, input: RequestInstanceLockInput): InstanceLockInput {
  return {
    instance: input.instance,
    holderCheckSeconds: deps.holderCheckSeconds,
    maxHistoryEvents: deps.maxHistoryEvents,
  };
}

async function signalWithStartLock(deps: InstanceLockDependencies, input: RequestInstanceLockInput): Promise<void> {
  await deps.temporal.workflow.signalWithStart(INSTANCE_LOCK_WORKFLOW_TYPE, {
    workflowId: input.lockWorkflowId,
    taskQueue: Context.current().info.taskQueue,
    args: [lockInputFor(deps, input)],
    signal: acquireLockSignal,
    signalArgs: [input.request],
  });
}

async function updateWithStartLock(deps: InstanceLockDependencies, input: RequestInstanceLockInput): Promise<boolean> {
  const answer = await deps.temporal.workflow.executeUpdateWithStart(acquireLockUpdate, {
    args: [input.request],
    startWorkflowOperation: new WithStartWorkflowOperation(INSTANCE_LOCK_WORKFLOW_TYPE, {
      workflowId: input.lockWorkflowId,
      taskQueue: Context.current().info.taskQueue,
      args: [lockInputFor(deps, input)],
      workflowIdConflictPolicy: 'USE_EXISTING',
    }),
  });
  return answer.granted;
}

/** Without a Temporal client (a worker wired without one) the lock activities fail at once. */
export function createInstanceLockActivities(given: InstanceLockDependencies | undefined) {
  const dependencies = (): InstanceLockDependencies => {
    if (!given)
      throw ApplicationFailure.nonRetryable('this worker has no Temporal client for instance locks', 'NotConfigured');
    return given;
  };
  return {
    /**
     * Queues a request on the instance's lock, starting the lock workflow if it does not run
     * (signal-with-start is atomic on the server, so two first requesters cannot start two
     * locks). Retrying is safe: the lock ignores a request id it has seen.
     */
    async requestInstanceLock(input: RequestInstanceLockInput): Promise<void> {
      await signalWithStartLock(dependencies(), input);
    },

    /**
     * Queues one request on each of several instances' locks (a batch of a mass deployment) in
     * one activity, by update-with-start: a free lock grants at once and says so, so the answer
     * lists the request ids already granted; the others are signalled when their turn comes.
     * Retrying re-sends all of them; a lock answers a request id it has seen with its state.
     */
    async requestInstanceLocks(input: { requests: RequestInstanceLockInput[] }): Promise<{ granted: string[] }> {
      const deps = dependencies();
      const queue = [...input.requests];
      const granted: string[] = [];
      const sender = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          if (await updateWithStartLock(deps, next)) granted.push(next.request.requestId);
        }
      };
      await Promise.all(Array.from({ length: Math.min(LOCK_REQUESTS_IN_FLIGHT, queue.length) }, sender));
      return { granted };
    },

    /**
     * Whether the lock's holder still runs. A terminated holder runs no code of its own, so
     * the lock asks the server instead of waiting for a release that will never come.
     */
    async describeLockHolder(holder: { workflowId: string; runId: string }): Promise<HolderState> {
      const deps = dependencies();
      try {
        let description = await deps.temporal.workflow.getHandle(holder.workflowId, holder.runId).describe();
        // A holder that continued as new still holds the lock through its newest run.
        if (description.status.name === 'CONTINUED_AS_NEW') {
          description = await deps.temporal.workflow.getHandle(holder.workflowId).describe();
        }
        return { running: description.status.name === 'RUNNING', status: description.status.name };
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return { running: false, status: 'NOT_FOUND' };
        throw error;
      }
    },
  };
}
