/**
 * Errors the client library throws; each names the thing it is about so callers can say so. What
 * the SDK throws becomes one of them in one place, `translateError`, used by every facade.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';

/** A request the workflow understood and refused (its update validator said no). */
export class RefusedError extends Error {
  constructor(
    readonly workflowId: string,
    readonly reason: string,
    what = 'Request',
  ) {
    super(`${what} refused on ${workflowId}: ${reason}`);
    this.name = 'RefusedError';
  }
}

/** A decision the workflow refused; the reason names the gate and the user. */
export class DecisionRefusedError extends RefusedError {
  constructor(workflowId: string, reason: string) {
    super(workflowId, reason, 'Decision');
    this.name = 'DecisionRefusedError';
  }
}

export class NotFoundError extends Error {
  constructor(readonly workflowId: string) {
    super(`No workflow '${workflowId}' was found`);
    this.name = 'NotFoundError';
  }
}

/** No Temporal server answered at the address: nothing was sent. */
export class ServerUnreachableError extends Error {
  constructor(
    readonly address: string,
    readonly timeoutMs?: number,
  ) {
    super(`No Temporal server answered at ${address}${timeoutMs ? ` within ${timeoutMs / 1000} s` : ''}`);
    this.name = 'ServerUnreachableError';
  }
}

/** A workflow that needs a worker to answer, and no worker polls its task queue. */
export class NoWorkerError extends Error {
  constructor(
    readonly workflowId: string,
    readonly taskQueue: string,
  ) {
    super(
      `No worker polls task queue '${taskQueue}', so ${workflowId} cannot answer; start one with 'stagecoach worker --task-queue ${taskQueue}'`,
    );
    this.name = 'NoWorkerError';
  }
}

/** A release with this id runs already (or completed): a second start is refused, nothing was started. */
export class ReleaseAlreadyStartedError extends Error {
  constructor(
    readonly workflowId: string,
    readonly state: 'running' | 'completed',
  ) {
    super(
      state === 'running'
        ? `Release ${workflowId} is already running; a second start is refused. Watch it with 'stagecoach release status', or cancel it first.`
        : `Release ${workflowId} has already completed; start a new version instead.`,
    );
    this.name = 'ReleaseAlreadyStartedError';
  }
}

/** Input that cannot start a release: every problem named, nothing started. */
export class InvalidReleaseInputError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cannot start the release: ${problems.join('; ')}`);
    this.name = 'InvalidReleaseInputError';
  }
}

/** A deployment that could not start or run (unpublished package, unknown tenants…); `type` says which. */
export class DeploymentError extends Error {
  constructor(
    readonly deploymentId: string,
    readonly type: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'DeploymentError';
  }
}

/** A bundle command or promotion the workflow refused or that failed; `type` is the failure type (PermissionDenied, ItemNotFound…). */
export class BundleCommandError extends Error {
  constructor(
    readonly workflowId: string,
    readonly type: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'BundleCommandError';
  }
}

/** A package the worker would not apply (invalid, conflicting, read-only target): nothing was applied. */
export class PackageRefusedError extends Error {
  constructor(
    readonly workflowId: string,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'PackageRefusedError';
  }
}

/** Why a workflow failed or an Update was refused: the failure's type and message. */
export interface Failure {
  type?: string;
  message: string;
}

/**
 * What one facade calls the failures of its workflows. A kind left out passes through as the SDK
 * threw it (a release's WorkflowFailedError, for one, keeps its cause chain for the caller).
 */
export interface FailureNaming {
  /** The workflow ran and failed. */
  failed?: (workflowId: string, failure: Failure) => Error | undefined;
  /** An Update's validator or handler said no. */
  refused?: (workflowId: string, failure: Failure) => Error;
  /** A workflow with this id runs or ran already. */
  alreadyStarted?: (workflowId: string) => Promise<Error>;
}

/** The one translation of what the SDK throws about `workflowId` into this library's errors. */
export async function translateError(workflowId: string, error: unknown, naming: FailureNaming = {}): Promise<unknown> {
  if (error instanceof WorkflowNotFoundError) return new NotFoundError(workflowId);
  if (error instanceof WorkflowExecutionAlreadyStartedError && naming.alreadyStarted)
    return naming.alreadyStarted(workflowId);
  if (error instanceof WorkflowFailedError && naming.failed)
    return naming.failed(workflowId, failureOf(error)) ?? error;
  if (error instanceof WorkflowUpdateFailedError && naming.refused) return naming.refused(workflowId, failureOf(error));
  return error;
}

export function failureOf(error: WorkflowFailedError | WorkflowUpdateFailedError): Failure {
  const cause = error.cause as { message?: string; type?: string } | undefined;
  return { type: cause?.type, message: cause?.message ?? error.message };
}
