/**
 * Bundles and their promotions (docs/mass-deployment-and-promotions.md) through the client
 * library: `client.promotions` runs the bundle commands, promotes now or on a schedule,
 * reschedules, cancels and backs out. Refusals and failures are BundleCommandErrors.
 */
import { randomUUID } from 'node:crypto';
import {
  type BackOutOutcome,
  type BundleAdminRequest,
  type BundleAdminResult,
  type BundlePromotionInput,
  type BundlePromotionResult,
  type PromotionBackoutInput,
  type PromotionStatus,
  cancelPromotionUpdate,
  type CancelPromotionRequest,
  promotionStatusQuery,
  reschedulePromotionUpdate,
  type RescheduleRequest,
} from '../contracts/promotions';
import type { ClientCore } from './core';
import { BundleCommandError, type FailureNaming } from './errors';

/** `promotion/<target>/<uuid>`, the promotion's id in the history too. */
export function newPromotionId(targetName: string): string {
  return `promotion/${targetName}/${randomUUID()}`;
}

const bundleFailures: FailureNaming = {
  failed: (workflowId, failure) => new BundleCommandError(workflowId, failure.type, failure.message),
  refused: (workflowId, failure) => new BundleCommandError(workflowId, failure.type, failure.message),
};

export interface PromotionOutcome {
  promotionId: string;
  /** A promotion run now: what it did. */
  result?: BundlePromotionResult;
  /** A scheduled promotion: recorded and waiting. */
  status?: PromotionStatus;
}

export class Promotions {
  constructor(private readonly core: ClientCore) {}

  /** `bundle create|add|remove|target|list|show|history`: one short workflow per command. */
  async bundleCommand(request: BundleAdminRequest): Promise<BundleAdminResult> {
    const workflowId = `bundle-admin/${request.action}/${randomUUID()}`;
    return this.core.execute(
      'bundleAdmin',
      workflowId,
      request,
      { staticSummary: `bundle ${request.action} by ${request.user}` },
      bundleFailures,
    );
  }

  /**
   * Promotes now (resolves with the outcome) or schedules (resolves once the promotion is recorded
   * and waiting, with its status). A refusal (roles, unknown bundle…) rejects with BundleCommandError.
   */
  async promote(
    input: BundlePromotionInput,
    promotionId = newPromotionId(input.targetName),
  ): Promise<PromotionOutcome> {
    const handle = await this.core.start('bundlePromotion', promotionId, input, {
      staticSummary: `promotion of ${input.bundle ? `bundle ${input.bundle}` : 'items'} to ${input.targetName}${input.scheduledFor ? ` at ${input.scheduledFor}` : ''}`,
    });
    if (!input.scheduledFor) return { promotionId, result: await this.result(promotionId) };
    for (;;) {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') await this.result(promotionId); // throws the refusal
      const status = await handle.query(promotionStatusQuery);
      if (status.phase !== 'preparing') return { promotionId, status };
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async result(promotionId: string): Promise<BundlePromotionResult> {
    return this.core.call(promotionId, (handle) => handle.result() as Promise<BundlePromotionResult>, bundleFailures);
  }

  async status(promotionId: string): Promise<PromotionStatus> {
    return this.core.call(promotionId, (handle) => handle.query(promotionStatusQuery), bundleFailures);
  }

  /** Refused at once (validator or role check) with BundleCommandError naming why. */
  async reschedule(promotionId: string, request: RescheduleRequest): Promise<{ scheduledFor: string }> {
    return this.core.call(
      promotionId,
      (handle) => handle.executeUpdate(reschedulePromotionUpdate, { args: [request] }),
      bundleFailures,
    );
  }

  /**
   * Cancels a promotion not yet promoting, as `request.user` (who needs role promotion-admin or admin);
   * resolves once it has recorded the cancellation. Refused at once (BundleCommandError) otherwise.
   */
  async cancel(promotionId: string, request: CancelPromotionRequest): Promise<PromotionStatus> {
    return this.core.call(
      promotionId,
      async (handle) => {
        await handle.executeUpdate(cancelPromotionUpdate, { args: [request] });
        await handle.result().catch(() => undefined);
        return handle.query(promotionStatusQuery);
      },
      bundleFailures,
    );
  }

  /** Backs out a promotion (one back-out per promotion: the workflow id is derived from it). */
  async backOut(input: PromotionBackoutInput): Promise<BackOutOutcome> {
    return this.core.execute(
      'promotionBackout',
      `backout/${input.promotionId}`,
      input,
      { staticSummary: `back-out of ${input.promotionId} by ${input.user}` },
      bundleFailures,
    );
  }
}
