/**
 * Queries and signals of a mass deployment (SPEC §6), defined once. Wire names: renaming one
 * breaks deployments that are running.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { TenantStatus } from '../domain/deployments/deployment-progress';

export type DeploymentPhase = 'preparing' | 'scheduled' | 'deploying' | 'notifying' | 'finished' | 'cancelled';

export interface DeploymentStatus {
  deploymentId: string;
  phase: DeploymentPhase;
  package?: string;
  landscape: string;
  scheduledFor?: string;
  concurrency: number;
  counts: { total: number; processed: number; pending: number; running: number; succeeded: number; failed: number; skipped: number };
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
