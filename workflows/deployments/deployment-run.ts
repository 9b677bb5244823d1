import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type {
  CancelDeploymentRequest,
  CarriedDeployment,
  DeploymentPhase,
  ResolveDeploymentRequest,
  TenantResult,
} from '../../contracts/deployments';
import {
  type DeploymentProgress,
  positionIn,
  recordOutcome,
  type TenantProblem,
} from '../../domain/deployments/deployment-progress';
import { countWaveOutcome } from '../../domain/deployments/wave-progress';
import type { Landscape } from '../../domain/landscapes';

export const acts = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/** One run of a deployment (it continues as new): what the queries show and the children book. */
export interface DeploymentRun {
  deploymentId: string;
  landscape: Landscape;
  concurrency: number;
  /** Tenants whose child runs now. */
  running: Set<string>;
  /** Tenant results not yet written to the deployment's table. */
  unflushed: TenantResult[];
  /** The package and progress, once prepared (or carried from the previous run). */
  carried?: CarriedDeployment;
  cancelled?: CancelDeploymentRequest;
  /** Cancellations refused for want of the role; shown in the status. */
  refusedCancels: (CancelDeploymentRequest & { refusal: string })[];
  /** Requests are checked against the roles (docs/approvals-locks-windows.md "Who may act"); false when replaying a deployment from before. */
  checksRoles: boolean;
  /** The release manager's answer to a halted wave (docs/mass-deployment-and-promotions.md "Waves"). */
  resolution?: ResolveDeploymentRequest;
  phase: DeploymentPhase;
}

/** Books a tenant's outcome: in the progress, its wave's counts, and the results to write. */
export function book(
  run: DeploymentRun,
  progress: DeploymentProgress,
  tenant: string,
  outcome: { status: 'succeeded'; backupId?: number } | TenantProblem,
): void {
  recordOutcome(progress, tenant, outcome.status === 'succeeded' ? { status: 'succeeded' } : outcome);
  countWaveOutcome(run.carried?.waves, positionIn(progress, tenant), outcome.status);
  run.unflushed.push({
    tenant,
    status: outcome.status,
    reason: 'reason' in outcome ? outcome.reason : undefined,
    finishedAt: new Date().toISOString(),
    ...(outcome.status === 'succeeded' && outcome.backupId !== undefined ? { backupId: outcome.backupId } : {}),
  });
}

export async function flush(deploymentId: string, unflushed: TenantResult[]): Promise<void> {
  if (unflushed.length === 0) return;
  const results = unflushed.splice(0, unflushed.length);
  await acts.recordDeploymentTenants({ deploymentId, results });
}
