// The workflow bundle's entry: every workflow type the worker runs.
export { approval } from './approval';
export { gateBriefing } from './gate-briefing';
export { instanceLock } from './locks/instance-lock';
export { copyBackup, copyDatabase, transactionalRefresh } from './copy-database';
export { deployPackage } from './deploy-package';
export { applyPackageToInstance } from './apply-package';
export { exportPackageFromInstance } from './export-package';
export { bundlePromotion } from './bundle-promotion';
export { bundleAdmin } from './bundles/bundle-admin';
export { promotionBackout } from './bundles/promotion-backout';
export { massDeployment } from './mass-deployment';
export { deployToTenant } from './deployments/deploy-to-tenant';
export { deployToTenants } from './deployments/deploy-to-tenants';
export { backOutDeploymentTenants } from './deployments/back-out-tenants';
export { previewMassDeployment } from './deployments/preview-deployment';
export { release } from './release';
export { stagingRefresh } from './staging-refresh';
