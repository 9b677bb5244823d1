import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  type BackOutOutcome,
  type BundleAdminRequest,
  type BundleAdminResult,
  type BundlePromotionInput,
  type BundlePromotionResult,
  type PromotionBackoutInput,
  type PromotionStatus,
  promotionStatusQuery,
  reschedulePromotionUpdate,
  type RescheduleRequest,
} from '../contracts/promotions';
import { NotFoundError } from './errors';
import type { StagecoachClient } from './stagecoach-client';

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

/** `bundle create|add|remove|target|list|show|history`: one short workflow per command. */
export async function runBundleCommand(
  client: StagecoachClient,
  request: BundleAdminRequest,
): Promise<BundleAdminResult> {
  const workflowId = `bundle-admin/${request.action}/${randomUUID()}`;
  try {
    return await client.temporal.workflow.execute('bundleAdmin', {
      workflowId,
      taskQueue: client.taskQueue,
      args: [request],
      staticSummary: `bundle ${request.action} by ${request.user}`,
    });
  } catch (error) {
    throw translate(workflowId, error);
  }
}

/** `promotion/<target>/<uuid>`, the promotion's id in the history too. */
export function newPromotionId(targetName: string): string {
  return `promotion/${targetName}/${randomUUID()}`;
}

/**
 * Promotes now (resolves with the outcome) or schedules (resolves once the promotion is recorded
 * and waiting, with its status). A refusal (roles, unknown bundle…) rejects with BundleCommandError.
 */
export async function promote(
  client: StagecoachClient,
  input: BundlePromotionInput,
  promotionId = newPromotionId(input.targetName),
): Promise<{ promotionId: string; result?: BundlePromotionResult; status?: PromotionStatus }> {
  const handle = await client.temporal.workflow.start('bundlePromotion', {
    workflowId: promotionId,
    taskQueue: client.taskQueue,
    args: [input],
    staticSummary: `promotion of ${input.bundle ? `bundle ${input.bundle}` : 'items'} to ${input.targetName}${input.scheduledFor ? ` at ${input.scheduledFor}` : ''}`,
  });
  if (!input.scheduledFor) return { promotionId, result: await promotionResult(client, promotionId) };
  for (;;) {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') await promotionResult(client, promotionId); // throws the refusal
    const status = await handle.query(promotionStatusQuery);
    if (status.phase !== 'preparing') return { promotionId, status };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function promotionResult(client: StagecoachClient, promotionId: string): Promise<BundlePromotionResult> {
  try {
    return (await client.temporal.workflow.getHandle(promotionId).result()) as BundlePromotionResult;
  } catch (error) {
    throw translate(promotionId, error);
  }
}

export async function promotionStatus(client: StagecoachClient, promotionId: string): Promise<PromotionStatus> {
  try {
    return await client.temporal.workflow.getHandle(promotionId).query(promotionStatusQuery);
  } catch (error) {
    throw translate(promotionId, error);
  }
}

/** Refused at once (validator or role check) with BundleCommandError naming why. */
export async function reschedulePromotion(
  client: StagecoachClient,
  promotionId: string,
  request: RescheduleRequest,
): Promise<{ scheduledFor: string }> {
  try {
    return await client.temporal.workflow
      .getHandle(promotionId)
      .executeUpdate(reschedulePromotionUpdate, { args: [request] });
  } catch (error) {
    throw translate(promotionId, error);
  }
}

/** Cancels a scheduled promotion; resolves once it has recorded the cancellation. */
export async function cancelPromotion(client: StagecoachClient, promotionId: string): Promise<PromotionStatus> {
  const handle = client.temporal.workflow.getHandle(promotionId);
  try {
    await handle.cancel();
    await handle.result().catch(() => undefined);
    return await handle.query(promotionStatusQuery);
  } catch (error) {
    throw translate(promotionId, error);
  }
}

/** Backs out a promotion (one back-out per promotion: the workflow id is derived from it). */
export async function backOutPromotion(
  client: StagecoachClient,
  input: PromotionBackoutInput,
): Promise<BackOutOutcome> {
  const workflowId = `backout/${input.promotionId}`;
  try {
    return await client.temporal.workflow.execute('promotionBackout', {
      workflowId,
      taskQueue: client.taskQueue,
      args: [input],
      staticSummary: `back-out of ${input.promotionId} by ${input.user}`,
    });
  } catch (error) {
    throw translate(workflowId, error);
  }
}

function translate(workflowId: string, error: unknown): unknown {
  if (error instanceof WorkflowNotFoundError) return new NotFoundError(workflowId);
  if (error instanceof WorkflowFailedError || error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause as { message?: string; type?: string } | undefined;
    return new BundleCommandError(workflowId, cause?.type, cause?.message ?? error.message);
  }
  return error;
}
