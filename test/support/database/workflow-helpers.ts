import { ApplicationFailure, ActivityFailure } from '@temporalio/common';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { uniqueId } from '../temporal';
import type {
  CopyDatabaseInput,
  CopyDatabaseResult,
  RefreshTransactionalResult,
  TransactionalRefreshInput,
} from '../../../contracts/database';

export function runCopyDatabase(
  temporal: Client,
  taskQueue: string,
  input: CopyDatabaseInput,
): Promise<CopyDatabaseResult> {
  return temporal.workflow.execute('copyDatabase', { taskQueue, workflowId: uniqueId('copy-database'), args: [input] });
}

export function runTransactionalRefresh(
  temporal: Client,
  taskQueue: string,
  input: TransactionalRefreshInput,
): Promise<RefreshTransactionalResult> {
  return temporal.workflow.execute('transactionalRefresh', {
    taskQueue,
    workflowId: uniqueId('refresh'),
    args: [input],
  });
}

export interface FailureFacts {
  type?: string;
  message: string;
  nonRetryable?: boolean;
  /** Attempts of the failing activity, from the activity failure's retry state. */
  activityType?: string;
}

/** The application failure at the root of a failed workflow (through the activity failure). */
export async function failureOf(promise: Promise<unknown>): Promise<FailureFacts> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    let cause: unknown = error.cause;
    let activityType: string | undefined;
    while (cause) {
      if (cause instanceof ActivityFailure) activityType = cause.activityType;
      if (cause instanceof ApplicationFailure)
        return {
          type: cause.type ?? undefined,
          message: cause.message,
          nonRetryable: cause.nonRetryable ?? undefined,
          activityType,
        };
      cause = (cause as { cause?: unknown }).cause;
    }
    return { message: error.message, activityType };
  }
  throw new Error('expected the workflow to fail, it succeeded');
}
