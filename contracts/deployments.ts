/**
 * Queries and signals of a mass deployment (docs/mass-deployment-and-promotions.md), defined once. Wire names: renaming one
 * breaks deployments that are running.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { countsOf, DeploymentProgress, TenantStatus } from '../domain/deployments/deployment-progress';
import type { WaveOptions } from '../domain/deployments/wave-plan';
import type { WaveProgress, WaveStatus } from '../domain/deployments/wave-progress';
import type { GateDefinition } from '../domain/gates';
import type { Landscape } from '../domain/landscapes';
export type DeploymentPhase =
  | 'preparing'
  | 'scheduled'
  | 'deploying'
  /** docs/mass-deployment-and-promotions.md "Waves": between waves. */
  | 'soaking'
  | 'waiting-for-approval'
  /** A wave passed its failure threshold: resume, cancel or back out. */
  | 'needs-resolution'
  | 'backing-out'
  | 'notifying'
  | 'finished'
  | 'cancelled'
  | 'backed-out';

export interface DeploymentStatus {
  deploymentId: string;
  phase: DeploymentPhase;
  package?: string;
  landscape: string;
  scheduledFor?: string;
  concurrency: number;
  counts: {
    total: number;
    processed: number;
    pending: number;
    running: number;
    succeeded: number;
    failed: number;
    skipped: number;
  };
  /** Tenants in the window right now. */
  running: string[];
  /** Failed and skipped tenants with their reasons (first 500). */
  problems: TenantStatus[];
  /** How many runs (continue-as-new) the deployment has used so far. */
  runs: number;
  /** docs/mass-deployment-and-promotions.md "Waves": per-wave counts, when the deployment runs in waves. */
  waves?: WaveStatus[];
  /** The cancellation that counted, once one did. */
  cancelled?: CancelDeploymentRequest;
  /** Cancellations from users without the role (docs/approvals-locks-windows.md "Who may act"): recorded, not taken. */
  refusedCancels?: (CancelDeploymentRequest & { refusal: string })[];
}
export const deploymentStatusQuery = defineQuery<DeploymentStatus>('deployment-status');
export const tenantDeploymentStatusQuery = defineQuery<TenantStatus | null, [string]>('deployment-tenant-status');

/** Stops launching tenants; those running finish, the rest are skipped with this reason. */
export interface CancelDeploymentRequest {
  user: string;
  reason: string;
}
export const cancelDeploymentSignal = defineSignal<[CancelDeploymentRequest]>('cancel-deployment');

/** docs/mass-deployment-and-promotions.md "Waves": how a release manager moves a halted deployment on. */
export interface ResolveDeploymentRequest {
  action: 'resume' | 'cancel' | 'back-out';
  user: string;
  reason: string;
}
/** Accepted only while the deployment is halted (`needs-resolution`); the validator says why not. */
export const resolveDeploymentUpdate = defineUpdate<DeploymentPhase, [ResolveDeploymentRequest]>('resolve-deployment');

export interface MassDeploymentInput {
  /** SHA-256 of a published package (in the control database's packages table). */
  packageSha256: string;
  /** The instances to deploy to (default production). */
  landscape?: Landscape;
  /** A selection of tenants; absent: all tenants of the inventory. */
  tenants?: string[];
  /** Only tenants carrying one of these inventory tags (within `tenants` when both are given). */
  tenantTags?: string[];
  /** docs/mass-deployment-and-promotions.md "Waves": pilot, waves, gate, soak, failure threshold; absent: one wave, no threshold. */
  waves?: WaveOptions;
  /** Tenants deployed at the same time (sliding window; default 10). */
  concurrency?: number;
  /** ISO date and time to start at; absent: now. */
  scheduledFor?: string;
  /** docs/mass-deployment-and-promotions.md "Tenant notices": mail each tenant's contact when its deployment succeeded. */
  notifyTenants?: boolean;
  /** Who asked; gets the summary by mail. */
  submitter: string;
  /** Continue as new past this history length (default 5,000) even before the server suggests it. */
  maxHistoryEvents?: number;
  /** Carried by continue-as-new. */
  carried?: CarriedDeployment;
}

export interface CarriedDeployment {
  packageId: string;
  version: string;
  /** Who may cancel or resolve it, from the inventory when it was prepared; absent in deployments from before roles. */
  admins?: string[];
  progress: DeploymentProgress;
  /** docs/mass-deployment-and-promotions.md "Order": dependencies inside the selection. */
  dependsOn?: Record<string, string[]>;
  waves?: WaveProgress;
  cancelled?: CancelDeploymentRequest;
}

export interface MassDeploymentResult {
  deploymentId: string;
  package: string;
  counts: ReturnType<typeof countsOf>;
  runs: number;
  cancelled?: CancelDeploymentRequest;
  /** The wave backed out, when one was. */
  backedOut?: WaveProgress['backedOut'];
}

export interface DeployToTenantInput extends TenantDeploymentInput {
  notifyTenant: boolean;
}

export type DeployToTenantResult =
  { status: 'succeeded'; notified?: string; backupId?: number } | { status: 'failed' | 'skipped'; reason: string };

export interface DeployToTenantsInput extends TenantBatchDeploymentInput {
  notifyTenants: boolean;
}

export type BatchTenantOutcome = { tenant: string } & (
  { status: 'succeeded'; notified?: string; backupId?: number } | { status: 'failed' | 'skipped'; reason: string }
);

export interface PrepareDeploymentInput {
  deploymentId: string;
  /** A published package: stored in the control database by content hash, so it cannot change. */
  packageSha256: string;
  landscape: Landscape;
  /** A selection of tenants; absent: every tenant of the inventory. */
  tenants?: string[];
  tenantTags?: string[];
  waves?: WaveOptions;
  submitter: string;
}

export interface PreparedDeployment {
  packageId: string;
  version: string;
  checksum: string;
  /** Tenants to deploy to, in order: wave after wave, dependencies first. */
  tenants: string[];
  dependsOn: Record<string, string[]>;
  /** The waves over `tenants` (absent without a wave plan), with the resolved gate. */
  waves?: { names: string[]; ends: number[]; gate?: GateDefinition };
  /** Tenants left out before starting (no instance in the landscape), with the reason. */
  skipped: TenantResult[];
  /** Who may cancel or resolve it: role deployment-admin and admin (docs/approvals-locks-windows.md "Who may act"). */
  admins?: string[];
}

export interface TenantDeploymentInput {
  deploymentId: string;
  tenant: string;
  landscape: Landscape;
  packageSha256: string;
  packageId: string;
  version: string;
  /** Back up every tenant first, not only locked ones: a deployment in waves can back out a wave. */
  backupFirst?: boolean;
}

export interface TenantDeploymentResult {
  status: 'succeeded' | 'skipped';
  reason?: string;
  /** The tenant's designated contact (docs/mass-deployment-and-promotions.md "Tenant notices"), when it has one. */
  contact?: string;
  changesApplied: number;
  /** The backup taken before applying to an instance with its metadata locked (docs/mass-deployment-and-promotions.md "Locked targets"). */
  backupId?: number;
}

export interface TenantBatchDeploymentInput extends Omit<TenantDeploymentInput, 'tenant'> {
  tenants: string[];
}

export type TenantBatchResult = { tenant: string; contact?: string } & (
  { status: 'succeeded'; backupId?: number } | { status: 'failed' | 'skipped'; reason: string }
);

export interface TenantResult {
  tenant: string;
  status: Extract<TenantDeploymentStatus, 'succeeded' | 'failed' | 'skipped' | 'backed-out'>;
  reason?: string;
  finishedAt: string;
  /** The cataloged backup taken before applying, kept for a back-out of the deployment. */
  backupId?: number;
}

export type TenantDeploymentStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'backed-out';

export interface BackOutTenantsInput {
  deploymentId: string;
  landscape: Landscape;
  tenants: string[];
}

/** A tenant of a backed-out wave: restored and verified, never changed by the deployment, or failed (the reason). */
export interface BackOutTenantOutcome {
  tenant: string;
  status: 'backed-out' | 'not-applied' | 'failed';
  reason?: string;
}

/** `deploy start --dry-run` (docs/mass-deployment-and-promotions.md "Dry run"): the same checks, nothing written. */
export type PreviewDeploymentInput = Omit<PrepareDeploymentInput, 'deploymentId'>;

export interface PreviewTenant {
  tenant: string;
  /** Why the deployment would skip it before trying, when it would. */
  skip?: string;
  /** Tenants of the selection it waits for. */
  dependsOn?: string[];
  /** The next maintenance window of its release settings; null when none is configured. */
  nextWindow: { start: string; end?: string } | null;
  /** Who holds its instance lock now (the client adds it from the lock's own status). */
  lockHolder?: string;
}

export interface DeploymentPreview {
  package: string;
  landscape: Landscape;
  waves: { name: string; tenants: PreviewTenant[] }[];
  gate?: GateDefinition;
  soakSeconds?: number;
  failureThresholdPercent?: number;
  /** Selected tenants left out before starting (no instance in the landscape). */
  skipped: { tenant: string; reason: string }[];
}
