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
  type DeploymentPhase,
  type DeploymentPreview,
  type PreviewDeploymentInput,
  type ResolveDeploymentRequest,
  resolveDeploymentUpdate,
  tenantDeploymentStatusQuery,
} from '../contracts/deployments';
import type { TenantStatus } from '../domain/deployments/deployment-progress';
import { instanceLockWorkflowId } from '../contracts/instance-locks';
import type { ClientCore } from './core';
import { Locks } from './locks';
import { DeploymentError, type FailureNaming, RefusedError } from './errors';

/** A deployment that could not start or run says why in a DeploymentError. */
const deploymentFailures: FailureNaming = {
  failed: (deploymentId, failure) => new DeploymentError(deploymentId, failure.type, failure.message),
  refused: (deploymentId, failure) => new RefusedError(deploymentId, failure.message, 'Resolution'),
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

  /**
   * `deploy start --dry-run` (docs/mass-deployment-and-promotions.md "Dry run"): the waves and their tenants, who
   * holds each tenant's instance lock now, the next window, and the tenants that would be skipped and why. The
   * worker plans it as a start would (the same refusals, as DeploymentError); nothing is written.
   */
  async preview(input: PreviewDeploymentInput): Promise<DeploymentPreview> {
    const previewId = `deployment-preview/${input.packageSha256.slice(0, 12)}/${randomUUID()}`;
    const preview = await this.core.execute<DeploymentPreview>(
      'previewMassDeployment',
      previewId,
      input,
      { staticSummary: `dry run of a mass deployment of package ${input.packageSha256.slice(0, 12)}` },
      deploymentFailures,
    );
    const holders = new Map(
      (await new Locks(this.core).list()).flatMap((lock) =>
        lock.holder
          ? [
              [
                lock.lockWorkflowId,
                `${lock.holder.holderWorkflowId} (${lock.holder.reason}, since ${lock.holder.grantedAt})`,
              ],
            ]
          : [],
      ),
    );
    for (const tenant of preview.waves.flatMap((wave) => wave.tenants)) {
      const holder = holders.get(instanceLockWorkflowId({ tenant: tenant.tenant, landscape: preview.landscape }));
      if (holder) tenant.lockHolder = holder;
    }
    return preview;
  }

  /**
   * Resolves once the deployment is past `preparing` (its checks passed: role, package, selection, plan);
   * throws DeploymentError when they refused it, so a refusal reaches whoever started it at once.
   */
  async whenPrepared(deploymentId: string): Promise<void> {
    let failure: unknown;
    let ended = false;
    const result = this.result(deploymentId).then(
      () => (ended = true),
      (error: unknown) => {
        failure = error;
        ended = true;
      },
    );
    for (;;) {
      await Promise.race([result, new Promise((resolve) => setTimeout(resolve, 250))]);
      if (failure) throw failure;
      if (ended) return;
      const status = await this.status(deploymentId).catch(() => undefined);
      if (status && status.phase !== 'preparing') return;
    }
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
    const refusedBefore = (await this.status(deploymentId)).refusedCancels?.length ?? 0;
    await this.core.call(deploymentId, (handle) => handle.signal(cancelDeploymentSignal, request), deploymentFailures);
    // The signal is recorded either way; the status says whether it counted (docs/approvals-locks-windows.md "Who may act").
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const status = await this.status(deploymentId);
      const refused = status.refusedCancels?.[refusedBefore];
      if (refused) throw new RefusedError(deploymentId, refused.refusal, 'Cancellation');
      if (status.cancelled || ['finished', 'cancelled', 'backed-out'].includes(status.phase)) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /**
   * `deploy resolve`: moves a deployment halted in `needs-resolution` on (docs/mass-deployment-and-promotions.md
   * "Halting and back-out"): resume, cancel, or back out the wave. A deployment that is not halted refuses it
   * (RefusedError naming its phase). Returns the phase the deployment was in when it took the decision.
   */
  async resolve(deploymentId: string, request: ResolveDeploymentRequest): Promise<DeploymentPhase> {
    return this.core.call(
      deploymentId,
      (handle) => handle.executeUpdate(resolveDeploymentUpdate, { args: [request] }),
      deploymentFailures,
    );
  }

  async result(deploymentId: string): Promise<MassDeploymentResult> {
    return this.core.call(
      deploymentId,
      (handle) => handle.result() as Promise<MassDeploymentResult>,
      deploymentFailures,
    );
  }
}
