import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { instanceKey } from '../../domain/landscapes';
import { SEARCH_ATTRIBUTES } from '../../contracts/temporal-names';
import { withInstanceLock } from '../locks/with-instance-lock';
import { rootFailure } from '../shared/failures';
import type { BackOutOutcome, PromotionBackoutInput } from '../../contracts/promotions';

const { authorizePromotionAction, describePromotion, backOutPromotion } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/** Back-out (docs/mass-deployment-and-promotions.md), holding the target instance's lock like any change to it (docs/approvals-locks-windows.md "Instance locks"). */
export async function promotionBackout(input: PromotionBackoutInput): Promise<BackOutOutcome> {
  try {
    await authorizePromotionAction({ user: input.user, action: `back out promotion ${input.promotionId}` });
    const promotion = await describePromotion({ promotionId: input.promotionId });
    upsertSearchAttributes({
      [SEARCH_ATTRIBUTES.tenant]: [promotion.target.tenant],
      [SEARCH_ATTRIBUTES.instance]: [instanceKey(promotion.target)],
      [SEARCH_ATTRIBUTES.phase]: ['back-out'],
    });
    return await withInstanceLock(promotion.target, `back-out of promotion ${input.promotionId} by ${input.user}`, () =>
      backOutPromotion({ promotionId: input.promotionId, user: input.user }),
    );
  } catch (error) {
    throw rootFailure(error);
  }
}
