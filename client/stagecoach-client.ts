import {
  Client,
  Connection,
  WorkflowUpdateFailedError,
  WorkflowNotFoundError,
  type WorkflowHandle,
} from '@temporalio/client';
import { DEFAULT_NAMESPACE, TASK_QUEUE } from '../domain/temporal-names';
import type { DecisionKind, GateDecision } from '../domain/gates';
import type { ApprovalInput, ApprovalResult } from '../workflows/approval';
import {
  approvalStatusQuery,
  approveSignal,
  decideUpdate,
  rejectSignal,
  type ApprovalStatus,
  type DecideResult,
} from '../workflows/messages';

export interface ConnectOptions {
  address?: string;
  namespace?: string;
  taskQueue?: string;
}

/** A decision the workflow refused; the reason names the gate and the user. */
export class DecisionRefusedError extends Error {
  constructor(
    readonly workflowId: string,
    readonly reason: string,
  ) {
    super(`Decision refused on ${workflowId}: ${reason}`);
    this.name = 'DecisionRefusedError';
  }
}

export class NotFoundError extends Error {
  constructor(readonly workflowId: string) {
    super(`No workflow '${workflowId}' was found`);
    this.name = 'NotFoundError';
  }
}

/** The typed client library; the CLI is a thin layer over it. */
export class StagecoachClient {
  private constructor(
    readonly temporal: Client,
    private readonly connection: Connection,
    readonly taskQueue: string,
  ) {}

  static async connect(options: ConnectOptions = {}): Promise<StagecoachClient> {
    const connection = await Connection.connect({ address: options.address ?? '127.0.0.1:7233' });
    const temporal = new Client({ connection, namespace: options.namespace ?? DEFAULT_NAMESPACE });
    return new StagecoachClient(temporal, connection, options.taskQueue ?? TASK_QUEUE);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  async requestApproval(workflowId: string, input: ApprovalInput): Promise<WorkflowHandle> {
    return this.temporal.workflow.start('approval', {
      workflowId,
      taskQueue: this.taskQueue,
      args: [input],
    });
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
        await handle.signal(decision === 'approve' ? approveSignal : rejectSignal, request);
        throw new DecisionRefusedError(workflowId, error.cause?.message ?? error.message);
      }
      throw this.translate(workflowId, error);
    }
  }

  /** Fire-and-forget decision, as the Web UI's "Send signal" does. */
  async signalDecision(workflowId: string, decision: DecisionKind, request: GateDecision): Promise<void> {
    await this.handle(workflowId).signal(decision === 'approve' ? approveSignal : rejectSignal, request);
  }

  async approvalStatus(workflowId: string): Promise<ApprovalStatus> {
    try {
      return await this.handle(workflowId).query(approvalStatusQuery);
    } catch (error) {
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
