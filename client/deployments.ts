import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
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
import { NotFoundError } from './errors';
import type { StagecoachClient } from './stagecoach-client';

/** A deployment that could not start or run (unpublished package, unknown tenants…); `type` says which. */
export class DeploymentError extends Error {
  constructor(
    readonly deploymentId: string,
    readonly type: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'DeploymentError';
  }
}

/** `deploy start`: starts a mass deployment (now or at `scheduledFor`) and returns its id. */
export async function startDeployment(
  client: StagecoachClient,
  input: MassDeploymentInput,
  deploymentId = `deployment/${input.packageSha256.slice(0, 12)}/${randomUUID()}`,
): Promise<string> {
  const tenants = input.tenants ? `${input.tenants.length} tenant(s)` : 'all tenants';
  await client.temporal.workflow.start('massDeployment', {
    workflowId: deploymentId,
    taskQueue: client.taskQueue,
    args: [input],
    staticSummary: `mass deployment of package ${input.packageSha256.slice(0, 12)} to ${tenants} (${input.landscape ?? 'production'})${input.scheduledFor ? ` at ${input.scheduledFor}` : ''}`,
  });
  return deploymentId;
}

/** `deploy status`: counts, the running window and the failed/skipped tenants, while it runs. */
export async function deploymentStatus(client: StagecoachClient, deploymentId: string): Promise<DeploymentStatus> {
  try {
    return await client.temporal.workflow.getHandle(deploymentId).query(deploymentStatusQuery);
  } catch (error) {
    throw translate(deploymentId, error);
  }
}

/** One tenant's status (pending, running, succeeded, failed, skipped + reason); null when not selected. */
export async function tenantDeploymentStatus(
  client: StagecoachClient,
  deploymentId: string,
  tenant: string,
): Promise<TenantStatus | null> {
  try {
    return await client.temporal.workflow.getHandle(deploymentId).query(tenantDeploymentStatusQuery, tenant);
  } catch (error) {
    throw translate(deploymentId, error);
  }
}

/** `deploy cancel`: running tenants finish, the others are skipped with the reason. */
export async function cancelDeployment(
  client: StagecoachClient,
  deploymentId: string,
  request: CancelDeploymentRequest,
): Promise<void> {
  if (!request.user?.trim() || !request.reason?.trim())
    throw new Error('cancelling a deployment needs the user and a reason');
  try {
    await client.temporal.workflow.getHandle(deploymentId).signal(cancelDeploymentSignal, request);
  } catch (error) {
    throw translate(deploymentId, error);
  }
}

export async function deploymentResult(client: StagecoachClient, deploymentId: string): Promise<MassDeploymentResult> {
  try {
    return (await client.temporal.workflow.getHandle(deploymentId).result()) as MassDeploymentResult;
  } catch (error) {
    throw translate(deploymentId, error);
  }
}

function translate(deploymentId: string, error: unknown): unknown {
  if (error instanceof WorkflowNotFoundError) return new NotFoundError(deploymentId);
  if (error instanceof WorkflowFailedError) {
    const cause = error.cause as { message?: string; type?: string } | undefined;
    return new DeploymentError(deploymentId, cause?.type, cause?.message ?? error.message);
  }
  return error;
}
