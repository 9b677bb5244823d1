export { StagecoachClient, type ConnectOptions } from './stagecoach-client';
export type { ListFilter } from './core';
export type { Releases, StartedRelease, StagingRefreshSchedule } from './releases';
export { stagingRefreshScheduleId } from './releases';
export type { Approvals, StartMetadata } from './approvals';
export type { Locks } from './locks';
export type { Deployments } from './deployments';
export type { Promotions, PromotionOutcome } from './promotions';
export { newPromotionId } from './promotions';
export type { Packages, AppliedPackage } from './packages';
export {
  BundleCommandError,
  DecisionRefusedError,
  DeploymentError,
  InvalidReleaseInputError,
  NoWorkerError,
  NotFoundError,
  PackageRefusedError,
  RefusedError,
  ReleaseAlreadyStartedError,
  ServerUnreachableError,
} from './errors';
export type {
  StagecoachAttributes,
  PendingActivityProgress,
  WorkflowProgress,
  WorkflowListing,
} from './workflow-progress';
export type { GateDefinition, GateDecision, RecordedDecision } from '../domain/gates';
export { TASK_QUEUE, SEARCH_ATTRIBUTES } from '../contracts/temporal-names';
export type { PromotionStatus } from '../contracts/promotions';
export type { DeploymentStatus } from '../contracts/deployments';
export type { TenantStatus } from '../domain/deployments/deployment-progress';
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
export type { DeployPackageInput, DeployPackageResult } from '../contracts/packages';
