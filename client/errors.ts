/** Errors the client library throws; each names the thing it is about so callers can say so. */

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
