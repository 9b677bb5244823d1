import type { BundleActivityDependencies } from './bundle-dependencies';
import { createBundleAdminActivities } from './bundle-admin-activities';
import { createPromotionActivities } from './promotion-activities';

/** Bundles and promotion (docs/mass-deployment-and-promotions.md). */
export function createBundleActivities(deps: BundleActivityDependencies) {
  return { ...createBundleAdminActivities(deps), ...createPromotionActivities(deps) };
}
