/**
 * What every facade of the client shares: the connection, starting a workflow on the task queue,
 * calling a workflow with its errors translated, queries that need a worker, and the one
 * Update-then-signal path for requests a workflow may refuse.
 */
import {
  type Client,
  type Connection,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
  type WorkflowStartOptions,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { failureOf, type FailureNaming, NoWorkerError, translateError } from './errors';
import { listingOf, visibilityQuery, type WorkflowListing } from './workflow-progress';

/** How the Web UI shows a started workflow, and whether its id may be used again. */
export type StartOptions = Pick<
  WorkflowStartOptions,
  'staticSummary' | 'staticDetails' | 'typedSearchAttributes' | 'workflowIdReusePolicy' | 'workflowIdConflictPolicy'
>;

export type ListFilter = Parameters<typeof visibilityQuery>[0];

/**
 * A request sent as an Update; when refused, recorded by the signal that carries the same request
 * (`recorded`, marked `refusedByUpdate`).
 */
export interface RefusableRequest<Result, Request, Recorded extends { refusedByUpdate?: string }> {
  update: UpdateDefinition<Result, [Request]>;
  request: Request;
  signal: SignalDefinition<[Recorded]>;
  recorded: Recorded;
}

/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, without depending on the proto package. */
const TASK_QUEUE_TYPE_WORKFLOW = 1;

export class ClientCore {
  constructor(
    readonly temporal: Client,
    readonly connection: Connection,
    readonly taskQueue: string,
  ) {}

  handle(workflowId: string): WorkflowHandle {
    return this.temporal.workflow.getHandle(workflowId);
  }

  /** Starts `workflowType` with one input object on the client's task queue. */
  async start(
    workflowType: string,
    workflowId: string,
    input: unknown,
    options: StartOptions = {},
    naming?: FailureNaming,
  ): Promise<WorkflowHandleWithFirstExecutionRunId> {
    return this.translated(workflowId, naming, () =>
      this.temporal.workflow.start(workflowType, { ...options, workflowId, taskQueue: this.taskQueue, args: [input] }),
    );
  }

  /** Starts `workflowType` and waits for its result. */
  async execute<Result>(
    workflowType: string,
    workflowId: string,
    input: unknown,
    options: StartOptions = {},
    naming?: FailureNaming,
  ): Promise<Result> {
    const handle = await this.start(workflowType, workflowId, input, options, naming);
    return this.translated(workflowId, naming, () => handle.result() as Promise<Result>);
  }

  /** Asks the workflow `workflowId` something; what the SDK throws becomes the client's errors. */
  async call<T>(workflowId: string, ask: (handle: WorkflowHandle) => Promise<T>, naming?: FailureNaming): Promise<T> {
    return this.translated(workflowId, naming, () => ask(this.handle(workflowId)));
  }

  /**
   * A query needs a worker. Without one the server would hold the call for a long time and
   * then fail vaguely, so give it 10 s and then say whether a worker polls the task queue.
   */
  async query<T>(workflowId: string, ask: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
    try {
      return await this.connection.withDeadline(Date.now() + 10_000, () => ask(this.handle(workflowId)));
    } catch (error) {
      const translated = await translateError(workflowId, error);
      if (translated !== error) throw translated;
      const taskQueue = await this.taskQueueWithoutWorker(workflowId);
      throw taskQueue ? new NoWorkerError(workflowId, taskQueue) : error;
    }
  }

  /**
   * Sends the request as an Update, whose validator answers at once. A refused request is then
   * sent as the signal too, so the refusal is recorded in the history and the audit table (a
   * refused Update leaves no history event); `naming.refused` says what the caller gets.
   */
  async updateOrRecordRefusal<Result, Request, Recorded extends { refusedByUpdate?: string }>(
    workflowId: string,
    { update, request, signal, recorded }: RefusableRequest<Result, Request, Recorded>,
    naming: FailureNaming,
  ): Promise<Result> {
    return this.call(
      workflowId,
      async (handle) => {
        try {
          return await handle.executeUpdate(update, { args: [request] });
        } catch (error) {
          if (!(error instanceof WorkflowUpdateFailedError)) throw error;
          // Marked, so it is recorded as refused even if the workflow has moved on meanwhile.
          await handle.signal(signal, { ...recorded, refusedByUpdate: failureOf(error).message });
          throw error;
        }
      },
      naming,
    );
  }

  /** Workflows matching our search attributes (all given fields must match), newest first. */
  async list(filter: ListFilter = {}, limit = 100): Promise<WorkflowListing[]> {
    const listings: WorkflowListing[] = [];
    for await (const info of this.temporal.workflow.list({ query: visibilityQuery(filter) || undefined })) {
      listings.push(listingOf(info));
      if (listings.length >= limit) break;
    }
    return listings;
  }

  private async translated<T>(
    workflowId: string,
    naming: FailureNaming | undefined,
    ask: () => Promise<T>,
  ): Promise<T> {
    try {
      return await ask();
    } catch (error) {
      throw await translateError(workflowId, error, naming);
    }
  }

  /** The workflow's task queue when no worker polls it; undefined when one does (or unknown). */
  private async taskQueueWithoutWorker(workflowId: string): Promise<string | undefined> {
    try {
      const { taskQueue } = await this.handle(workflowId).describe();
      const { pollers } = await this.temporal.workflowService.describeTaskQueue({
        namespace: this.temporal.options.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
      });
      return (pollers ?? []).length === 0 ? taskQueue : undefined;
    } catch {
      return undefined;
    }
  }
}
