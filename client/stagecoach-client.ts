import {
  Client,
  Connection,
  WorkflowUpdateFailedError,
  WorkflowNotFoundError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { DEFAULT_NAMESPACE, TASK_QUEUE } from '../contracts/temporal-names';
import { DecisionRefusedError, NoWorkerError, NotFoundError, RefusedError, ServerUnreachableError } from './errors';
import { forceReleaseInstanceLock, instanceLockStatus, listInstanceLocks } from './instance-locks';
import type { InstanceRef } from '../domain/landscapes';
import type { DecisionKind, GateDecision, RecordedResolution, ResolutionKind } from '../domain/gates';
import {
  describeProgress,
  listingOf,
  searchAttributesFor,
  visibilityQuery,
  type StagecoachAttributes,
  type WorkflowListing,
  type WorkflowProgress,
} from './workflow-progress';
import {
  type ApprovalInput,
  type ApprovalResult,
  type ApprovalStatus,
  approvalStatusQuery,
  approveSignal,
  cancelSignal,
  type DecideResult,
  decideUpdate,
  rejectSignal,
  type ResolutionRequest,
  resolveSignal,
} from '../contracts/approvals';
import {
  type ForceReleaseRequest,
  type ForceReleaseResult,
  type InstanceLockStatus,
  instanceLockWorkflowId,
} from '../contracts/instance-locks';

export interface ConnectOptions {
  address?: string;
  namespace?: string;
  taskQueue?: string;
  /** How long to wait for the server before giving up with ServerUnreachableError. */
  connectTimeoutMs?: number;
}

/** What the Web UI shows about a workflow besides its id: search attributes and user metadata. */
export interface StartMetadata extends StagecoachAttributes {
  /** One line, shown in the Web UI's workflow list and header. */
  summary?: string;
  /** Markdown, shown in the Web UI's workflow page. */
  details?: string;
}

/** The typed client library; the CLI is a thin layer over it. */
export class StagecoachClient {
  private constructor(
    readonly temporal: Client,
    private readonly connection: Connection,
    readonly taskQueue: string,
  ) {}

  static async connect(options: ConnectOptions = {}): Promise<StagecoachClient> {
    const address = options.address ?? '127.0.0.1:7233';
    const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    let connection: Connection;
    try {
      connection = await Connection.connect({ address, connectTimeout: connectTimeoutMs });
    } catch {
      throw new ServerUnreachableError(address, connectTimeoutMs);
    }
    const temporal = new Client({ connection, namespace: options.namespace ?? DEFAULT_NAMESPACE });
    return new StagecoachClient(temporal, connection, options.taskQueue ?? TASK_QUEUE);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  async requestApproval(
    workflowId: string,
    input: ApprovalInput,
    metadata: StartMetadata = {},
  ): Promise<WorkflowHandleWithFirstExecutionRunId> {
    const { summary, details, ...attributes } = metadata;
    return this.temporal.workflow.start('approval', {
      workflowId,
      taskQueue: this.taskQueue,
      args: [input],
      typedSearchAttributes: searchAttributesFor(attributes),
      staticSummary: summary ?? `Approval of gate ${input.gate.name}: ${input.subject}`,
      staticDetails: details ?? approvalDetails(input),
    });
  }

  /** Waits for the gate to end; a workflow failure surfaces as the SDK's WorkflowFailedError. */
  async waitForApproval(workflowId: string): Promise<ApprovalResult> {
    try {
      return (await this.handle(workflowId).result()) as ApprovalResult;
    } catch (error) {
      throw this.translate(workflowId, error);
    }
  }

  /** Status, search attributes, user metadata and pending activities, as the Web UI sees them. */
  async describe(workflowId: string): Promise<WorkflowProgress> {
    return describeProgress(this.temporal, workflowId);
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

  async approvalResult(workflowId: string): Promise<ApprovalResult> {
    return this.handle(workflowId).result() as Promise<ApprovalResult>;
  }

  /**
   * Decide by Update: resolves when the decision counted, throws DecisionRefusedError when
   * the workflow refused it. A refused decision is then sent as a signal so it is still
   * recorded in the history and the audit table (a rejected Update leaves no history event).
   */
  async decide(workflowId: string, decision: DecisionKind, request: GateDecision): Promise<DecideResult> {
    const handle = this.handle(workflowId);
    try {
      return await handle.executeUpdate(decideUpdate, { args: [{ ...request, decision }] });
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        const reason = error.cause?.message ?? error.message;
        await handle.signal(decision === 'approve' ? approveSignal : rejectSignal, {
          ...request,
          refusedByUpdate: reason,
        });
        throw new DecisionRefusedError(workflowId, reason);
      }
      throw this.translate(workflowId, error);
    }
  }

  /** Fire-and-forget decision, as the Web UI's "Send signal" does. */
  async signalDecision(workflowId: string, decision: DecisionKind, request: GateDecision): Promise<void> {
    await this.handle(workflowId).signal(decision === 'approve' ? approveSignal : rejectSignal, request);
  }

  /**
   * A release manager's `resolve` (ask the approvers again after two rejections) or `cancel`.
   * They travel as signals (usable from the Web UI too), so the answer is read back from the
   * status query: resolves with the recorded resolution, throws DecisionRefusedError when it
   * did not count.
   */
  async sendResolution(
    workflowId: string,
    kind: ResolutionKind,
    request: ResolutionRequest,
  ): Promise<RecordedResolution> {
    const before = resolutionsOf(await this.approvalStatus(workflowId), kind);
    await this.handle(workflowId).signal(kind === 'resolve' ? resolveSignal : cancelSignal, request);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const after = resolutionsOf(await this.approvalStatus(workflowId), kind);
      const recorded = after.onGate[before.onGate.length] ?? after.stray[before.stray.length];
      if (recorded) {
        if (!recorded.counted) throw new DecisionRefusedError(workflowId, recorded.refusal ?? 'not counted');
        return recorded;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${workflowId} did not record the ${kind} within 15 s; is a worker polling '${this.taskQueue}'?`);
  }

  async approvalStatus(workflowId: string): Promise<ApprovalStatus> {
    return this.query(workflowId, () => this.handle(workflowId).query(approvalStatusQuery));
  }

  /**
   * A query needs a worker. Without one the server would hold the call for a long time and
   * then fail vaguely, so give it 10 s and then say whether a worker polls the task queue.
   */
  private async query<T>(workflowId: string, ask: () => Promise<T>): Promise<T> {
    try {
      return await this.connection.withDeadline(Date.now() + 10_000, ask);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new NotFoundError(workflowId);
      const taskQueue = await this.taskQueueWithoutWorker(workflowId);
      throw taskQueue ? new NoWorkerError(workflowId, taskQueue) : error;
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

  /** Every running instance lock with holder and queue (visibility: eventually consistent). */
  async listLocks(): Promise<InstanceLockStatus[]> {
    return listInstanceLocks(this.temporal, this.taskQueue);
  }

  async lockStatus(instance: InstanceRef): Promise<InstanceLockStatus> {
    try {
      return await instanceLockStatus(this.temporal, instance);
    } catch (error) {
      throw this.translate(instanceLockWorkflowId(instance), error);
    }
  }

  /** An admin frees the instance from its holder; RefusedError (with the reason) when the lock says no. */
  async forceReleaseLock(instance: InstanceRef, request: ForceReleaseRequest): Promise<ForceReleaseResult> {
    const workflowId = instanceLockWorkflowId(instance);
    try {
      return await forceReleaseInstanceLock(this.temporal, instance, request);
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        throw new RefusedError(workflowId, error.cause?.message ?? error.message, 'Force-release');
      }
      throw this.translate(workflowId, error);
    }
  }

  private handle(workflowId: string): WorkflowHandle {
    return this.temporal.workflow.getHandle(workflowId);
  }

  private translate(workflowId: string, error: unknown): unknown {
    return error instanceof WorkflowNotFoundError ? new NotFoundError(workflowId) : error;
  }
}

/** temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, without depending on the proto package. */
const TASK_QUEUE_TYPE_WORKFLOW = 1;

export type ListFilter = Parameters<typeof visibilityQuery>[0];

/** The Web UI shows this markdown on the workflow page: who decides, and how to do it there. */
function approvalDetails(input: ApprovalInput): string {
  const gate = input.gate;
  return [
    `**${input.subject}**, requested by ${input.requestedBy}.`,
    '',
    `Gate \`${gate.name}\`: ${gate.requiredApprovals} approval(s) from ${gate.approvers.join(', ')}; ` +
      `after ${gate.timeoutSeconds} s: ${gate.onTimeout}.`,
    '',
    `To decide here: **Send signal** \`approve\` or \`reject\` with input ` +
      `\`{"gate": "${gate.name}", "user": "<you>", "comment": "…"}\`.`,
  ].join('\n');
}

/** Resolutions of `kind` as recorded, counted or not: on the gate, and those that found no open gate. */
function resolutionsOf(
  status: ApprovalStatus,
  kind: ResolutionKind,
): { onGate: RecordedResolution[]; stray: RecordedResolution[] } {
  return {
    // A release answers the same `status` query but has no gate before its first one opens.
    onGate: (status.gate?.resolutions ?? []).filter((r) => r.kind === kind),
    stray: (status.stray ?? [])
      .filter((m) => m.kind === kind)
      .map((m): RecordedResolution => ({ kind, ...m.request, at: m.at, counted: false, refusal: m.refusal })),
  };
}
