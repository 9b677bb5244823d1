/**
 * Mass deployments (docs/mass-deployment-and-promotions.md) through the client library:
 * `client.deployments` starts one, reads its status (all tenants or one), cancels it and waits
 * for its result.
 */
import { randomUUID } from 'node:crypto';
import {
  type CancelDeploymentRequest,
  cancelDeploymentSignal,
  type DeploymentStatus,
  deploymentStatusQuery,
  type MassDeploymentInput,
  type MassDeploymentResult,
  tenantDeploymentStatusQuery,
} from '../contracts/deployments';
import type { TenantStatus } from '../domain/deployments/deployment-progress';
import type { ClientCore } from './core';
import { DeploymentError, type FailureNaming } from './errors';

/** A deployment that could not start or run says why in a DeploymentError. */
const deploymentFailures: FailureNaming = {
  failed: (deploymentId, failure) => new DeploymentError(deploymentId, failure.type, failure.message),
};

export class Deployments {
  constructor(private readonly core: ClientCore) {}

  /** `deploy start`: starts a mass deployment (now or at `scheduledFor`) and returns its id. */
  async start(
    input: MassDeploymentInput,
    deploymentId = `deployment/${input.packageSha256.slice(0, 12)}/${randomUUID()}`,
  ): Promise<string> {
    const tenants = input.tenants ? `${input.tenants.length} tenant(s)` : 'all tenants';
    await this.core.start('massDeployment', deploymentId, input, {
      staticSummary: `mass deployment of package ${input.packageSha256.slice(0, 12)} to ${tenants} (${input.landscape ?? 'production'})${input.scheduledFor ? ` at ${input.scheduledFor}` : ''}`,
    });
    return deploymentId;
  }

  /** `deploy status`: counts, the running window and the failed/skipped tenants, while it runs. */
  async status(deploymentId: string): Promise<DeploymentStatus> {
    return this.core.call(deploymentId, (handle) => handle.query(deploymentStatusQuery), deploymentFailures);
  }

  /** One tenant's status (pending, running, succeeded, failed, skipped + reason); null when not selected. */
  async tenantStatus(deploymentId: string, tenant: string): Promise<TenantStatus | null> {
    return this.core.call(
      deploymentId,
      (handle) => handle.query(tenantDeploymentStatusQuery, tenant),
      deploymentFailures,
    );
  }

  /** `deploy cancel`: running tenants finish, the others are skipped with the reason. */
  async cancel(deploymentId: string, request: CancelDeploymentRequest): Promise<void> {
    if (!request.user?.trim() || !request.reason?.trim())
      throw new Error('cancelling a deployment needs the user and a reason');
    await this.core.call(deploymentId, (handle) => handle.signal(cancelDeploymentSignal, request), deploymentFailures);
  }

  async result(deploymentId: string): Promise<MassDeploymentResult> {
    return this.core.call(
      deploymentId,
      (handle) => handle.result() as Promise<MassDeploymentResult>,
      deploymentFailures,
    );
  }
}
