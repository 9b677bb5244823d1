/**
 * Queries and signals of a mass deployment (docs/mass-deployment-and-promotions.md), defined once. Wire names: renaming one
 * breaks deployments that are running.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { countsOf, DeploymentProgress, TenantStatus } from '../domain/deployments/deployment-progress';
import type { Landscape } from '../domain/landscapes';
export type DeploymentPhase = 'preparing' | 'scheduled' | 'deploying' | 'notifying' | 'finished' | 'cancelled';

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
}
export const deploymentStatusQuery = defineQuery<DeploymentStatus>('deployment-status');
export const tenantDeploymentStatusQuery = defineQuery<TenantStatus | null, [string]>('deployment-tenant-status');

/** Stops launching tenants; those running finish, the rest are skipped with this reason. */
export interface CancelDeploymentRequest {
  user: string;
  reason: string;
}
export const cancelDeploymentSignal = defineSignal<[CancelDeploymentRequest]>('cancel-deployment');

export interface MassDeploymentInput {
  /** SHA-256 of a published package (in the control database's packages table). */
  packageSha256: string;
  /** The instances to deploy to (default production). */
  landscape?: Landscape;
  /** A selection of tenants; absent: all tenants of the inventory. */
  tenants?: string[];
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
  progress: DeploymentProgress;
  cancelled?: CancelDeploymentRequest;
}

export interface MassDeploymentResult {
  deploymentId: string;
  package: string;
  counts: ReturnType<typeof countsOf>;
  runs: number;
  cancelled?: CancelDeploymentRequest;
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
  submitter: string;
}

export interface PreparedDeployment {
  packageId: string;
  version: string;
  checksum: string;
  /** Tenants to deploy to, in order. */
  tenants: string[];
  /** Tenants left out before starting (no instance in the landscape), with the reason. */
  skipped: TenantResult[];
}

export interface TenantDeploymentInput {
  deploymentId: string;
  tenant: string;
  landscape: Landscape;
  packageSha256: string;
  packageId: string;
  version: string;
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
  status: Extract<TenantDeploymentStatus, 'succeeded' | 'failed' | 'skipped'>;
  reason?: string;
  finishedAt: string;
  /** The cataloged backup taken before applying, kept for a back-out of the deployment. */
  backupId?: number;
}

export type TenantDeploymentStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';
