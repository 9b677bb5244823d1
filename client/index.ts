export { StagecoachClient, type ConnectOptions, type StartMetadata, type ListFilter } from './stagecoach-client';
export { DecisionRefusedError, NoWorkerError, NotFoundError, RefusedError, ServerUnreachableError } from './errors';
export type {
  StagecoachAttributes,
  PendingActivityProgress,
  WorkflowProgress,
  WorkflowListing,
} from './workflow-progress';
export { pendingActivitiesWithin } from './workflow-progress';
export type { GateDefinition, GateDecision, RecordedDecision } from '../domain/gates';
export { TASK_QUEUE, SEARCH_ATTRIBUTES } from '../contracts/temporal-names';
export { listInstanceLocks, instanceLockStatus, forceReleaseInstanceLock } from './instance-locks';
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
export type { PromotionStatus } from '../contracts/promotions';
export {
  startDeployment,
  deploymentStatus,
  tenantDeploymentStatus,
  cancelDeployment,
  deploymentResult,
  DeploymentError,
} from './deployments';
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
export type { ReleaseVariant, ReleasePhase } from '../domain/releases';
export type { DecideResult } from '../contracts/approvals';
export type { ResolutionRequest } from '../contracts/approvals';
export type { ApprovalStatus } from '../contracts/approvals';
export type { ApprovalInput } from '../contracts/approvals';
export type { ApprovalResult } from '../contracts/approvals';
export type { ForceReleaseRequest } from '../contracts/instance-locks';
export type { InstanceLockStatus } from '../contracts/instance-locks';
export type { FreezeOverrideRequest } from '../contracts/maintenance-windows';
export type { ReleaseInput } from '../contracts/releases';
export type { ChangeEntry } from '../contracts/releases';
export type { ReleaseStatus } from '../contracts/releases';
export type { ReleaseResult } from '../contracts/releases';
export { releaseWorkflowId } from '../contracts/releases';
export type { MassDeploymentInput } from '../contracts/deployments';
export type { MassDeploymentResult } from '../contracts/deployments';
export type { BundlePromotionInput } from '../contracts/promotions';
export type { BundlePromotionResult } from '../contracts/promotions';
export type { BundleAdminRequest } from '../contracts/promotions';
export type { BundleAdminResult } from '../contracts/promotions';
