export { StagecoachClient, type ConnectOptions, type StartMetadata, type ListFilter } from './stagecoach-client';
export { DecisionRefusedError, NoWorkerError, NotFoundError, RefusedError, ServerUnreachableError } from './errors';
export { listBackups, type BackupListing } from './backups';
export type {
  StagecoachAttributes,
  PendingActivityProgress,
  WorkflowProgress,
  WorkflowListing,
} from './workflow-progress';
export { pendingActivitiesWithin } from './workflow-progress';
export type { ApprovalInput, ApprovalResult } from '../workflows/approval';
export type { ApprovalStatus, DecideResult } from '../contracts/messages';
export type { GateDefinition, GateDecision, RecordedDecision } from '../domain/gates';
export { TASK_QUEUE, SEARCH_ATTRIBUTES } from '../contracts/temporal-names';
export { listInstanceLocks, instanceLockStatus, forceReleaseInstanceLock } from './instance-locks';
export type { InstanceLockStatus, ForceReleaseRequest, ResolutionRequest, FreezeOverrideRequest } from '../contracts/messages';
export {
  runBundleCommand,
  promote,
  newPromotionId,
  promotionResult,
  promotionStatus,
  reschedulePromotion,
  cancelPromotion,
  backOutPromotion,
  BundleCommandError,
} from './bundles';
export type { BundleAdminRequest, BundleAdminResult } from '../activities/bundles/bundle-admin-activities';
export type { BundlePromotionInput, BundlePromotionResult } from '../workflows/bundle-promotion';
export type { PromotionStatus } from '../contracts/promotions';
export { startDeployment, deploymentStatus, tenantDeploymentStatus, cancelDeployment, deploymentResult, DeploymentError } from './deployments';
export type { MassDeploymentInput, MassDeploymentResult } from '../workflows/mass-deployment';
export type { DeploymentStatus } from '../contracts/deployments';
export type { TenantStatus } from '../domain/deployments/deployment-progress';
export {
  startRelease,
  releaseStatus,
  releaseResult,
  sendConfigurationReady,
  registerChange,
  sendCorrectedPackage,
  cancelRelease,
  listReleases,
  scheduleStagingRefresh,
  stagingRefreshScheduleId,
  ReleaseAlreadyStartedError,
  InvalidReleaseInputError,
} from './releases';
export type { StartedRelease, StagingRefreshSchedule } from './releases';
export type { ReleaseInput, ReleaseResult, ReleaseStatus, ReleaseVariant, ReleasePhase, ChangeEntry } from '../domain/releases';
export { releaseWorkflowId } from '../domain/releases';
