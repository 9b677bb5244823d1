import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  type BundlePromotionInput,
  type BundlePromotionResult,
  type PromotionPhase,
  type PromotionStatus,
  cancelPromotionUpdate,
  type CancelPromotionRequest,
  promotionStatusQuery,
  reschedulePromotionUpdate,
  type RescheduleRequest,
} from '../contracts/promotions';
import { SEARCH_ATTRIBUTES } from '../contracts/temporal-names';
import { instanceKey } from '../domain/landscapes';
import type { PromotionContent } from '../domain/promotions/bundle-types';
import { messageOf, rootFailure } from './shared/failures';
import { withInstanceLock } from './locks/with-instance-lock';
const DEFAULT_RETENTION_DAYS = 90;

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * Promotes a bundle (or single items) to a promotion target, now or at a date (docs/mass-deployment-and-promotions.md
 * "Promotions"). The id is the promotion's id in the history. Waiting, it can be rescheduled (Update
 * `reschedule-promotion`) or cancelled (workflow cancellation); promoting holds the target
 * instance's lock.
 */
export async function bundlePromotion(input: BundlePromotionInput): Promise<BundlePromotionResult> {
  const promotionId = workflowInfo().workflowId;
  const content: PromotionContent = input.scheduledFor ? (input.content ?? 'snapshot') : 'live';
  const status: PromotionStatus = {
    promotionId,
    phase: 'preparing',
    targetName: input.targetName,
    bundle: input.bundle,
    content,
    scheduledFor: input.scheduledFor,
    reschedules: [],
  };
  let scheduleVersion = 0;
  setHandler(promotionStatusQuery, () => status);
  setHandler(
    reschedulePromotionUpdate,
    async (request) => {
      await authorizeOrFail(request.user, `reschedule promotion ${promotionId}`);
      if (status.phase !== 'scheduled')
        throw ApplicationFailure.create({
          type: 'TooLate',
          message: `promotion ${promotionId} is ${status.phase}: too late to reschedule`,
          nonRetryable: true,
        });
      await acts.recordPromotionSchedule({ promotionId, scheduledFor: request.at });
      status.reschedules.push({ user: request.user, at: request.at, previous: status.scheduledFor });
      status.scheduledFor = request.at;
      scheduleVersion += 1;
      return { scheduledFor: request.at };
    },
    { validator: validateReschedule(status) },
  );
  // The work runs in a scope of its own so `cancel-promotion` can stop it; cancelling the workflow
  // itself (the Web UI's button) still works, but names nobody.
  const work = new CancellationScope();
  setHandler(
    cancelPromotionUpdate,
    async (request) => {
      await authorizeOrFail(request.user, `cancel promotion ${promotionId}`);
      if (status.phase !== 'scheduled' && status.phase !== 'waiting-for-lock')
        throw ApplicationFailure.create({
          type: 'TooLate',
          message: `promotion ${promotionId} is ${status.phase}: too late to cancel`,
          nonRetryable: true,
        });
      status.cancelledBy = { user: request.user, reason: request.reason };
      work.cancel();
      return { cancelled: true };
    },
    { validator: validateCancel(status) },
  );

  try {
    return await work.run(() => promote(input, status, content, () => scheduleVersion));
  } catch (error) {
    const cancelled = isCancellation(error);
    const by = status.cancelledBy;
    status.error = cancelled ? (by ? `cancelled by ${by.user}: ${by.reason}` : 'cancelled') : messageOf(error);
    if (status.phase !== 'preparing') {
      await CancellationScope.nonCancellable(() =>
        acts.finishPromotion({ promotionId, status: cancelled ? 'cancelled' : 'failed', reason: status.error! }),
      );
    }
    setPhase(status, cancelled ? 'cancelled' : 'failed');
    if (by && cancelled)
      throw ApplicationFailure.create({ type: 'PromotionCancelled', message: status.error, nonRetryable: true });
    throw rootFailure(error);
  }
}

async function promote(
  input: BundlePromotionInput,
  status: PromotionStatus,
  content: PromotionContent,
  scheduleVersion: () => number,
): Promise<BundlePromotionResult> {
  const { promotionId } = status;
  const prepared = await acts.preparePromotion({
    promotionId,
    requestedBy: input.requestedBy,
    targetName: input.targetName,
    bundle: input.bundle,
    items: input.items,
    content,
    scheduledFor: input.scheduledFor,
  });
  status.itemCount = prepared.itemCount;
  upsertSearchAttributes({
    [SEARCH_ATTRIBUTES.tenant]: [prepared.target.tenant],
    [SEARCH_ATTRIBUTES.instance]: [instanceKey(prepared.target)],
  });
  setPhase(status, 'scheduled');
  while (status.scheduledFor) {
    const waitMs = Date.parse(status.scheduledFor) - Date.now();
    if (waitMs <= 0) break;
    const seen = scheduleVersion();
    await condition(() => scheduleVersion() !== seen, waitMs);
  }
  setPhase(status, 'waiting-for-lock');
  const outcome = await withInstanceLock(prepared.target, `promotion ${promotionId} by ${input.requestedBy}`, () => {
    setPhase(status, 'promoting');
    return acts.promoteToTarget({ promotionId });
  });
  setPhase(status, 'promoted');
  const { purged } = await acts.purgePromotionHistory({
    retentionDays: input.retentionDays ?? DEFAULT_RETENTION_DAYS,
  });
  return { ...outcome, historyPurged: purged };
}

function setPhase(status: PromotionStatus, phase: PromotionPhase): void {
  status.phase = phase;
  upsertSearchAttributes({ [SEARCH_ATTRIBUTES.phase]: [phase] });
}

function validateCancel(status: PromotionStatus) {
  return (request: CancelPromotionRequest): void => {
    if (!request?.user?.trim() || !request.reason?.trim())
      throw new Error('a cancellation needs the user and a reason');
    if (status.phase !== 'scheduled' && status.phase !== 'waiting-for-lock')
      throw new Error(
        `promotion ${status.promotionId} is ${status.phase}: only a promotion not yet promoting can be cancelled`,
      );
  };
}

function validateReschedule(status: PromotionStatus) {
  return (request: RescheduleRequest): void => {
    if (!request?.user?.trim()) throw new Error('a reschedule must name the user who does it');
    if (Number.isNaN(Date.parse(request.at ?? '')))
      throw new Error(`'${request.at}' is not a date and time (ISO 8601, e.g. 2026-03-01T22:00:00Z)`);
    if (status.phase !== 'scheduled')
      throw new Error(
        `promotion ${status.promotionId} is ${status.phase}: only a scheduled promotion can be rescheduled`,
      );
  };
}

async function authorizeOrFail(user: string, action: string): Promise<void> {
  try {
    await acts.authorizePromotionAction({ user, action });
  } catch (error) {
    throw rootFailure(error);
  }
}
