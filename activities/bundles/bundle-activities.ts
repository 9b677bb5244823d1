import type { BundleActivityDependencies } from './bundle-dependencies';
import { createBundleAdminActivities } from './bundle-admin-activities';
import { createPromotionActivities } from './promotion-activities';

/** Bundles and promotion (SPEC §6, seed 004). */
export function createBundleActivities(deps: BundleActivityDependencies) {
  return { ...createBundleAdminActivities(deps), ...createPromotionActivities(deps) };
}
