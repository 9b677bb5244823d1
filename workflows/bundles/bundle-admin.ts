import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { rootFailure } from '../shared/failures';
import type { BundleAdminRequest, BundleAdminResult } from '../../contracts/promotions';
const { manageBundle } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumInterval: '10 seconds', maximumAttempts: 5 },
});

/**
 * One bundle command (create, add items, define a target, list, history). It runs as a short
 * workflow so the source instance is read inside the worker, the only place its credentials
 * exist, and so every command, refused or not, is in a history.
 */
export async function bundleAdmin(request: BundleAdminRequest): Promise<BundleAdminResult> {
  try {
    return await manageBundle(request);
  } catch (error) {
    throw rootFailure(error);
  }
}
