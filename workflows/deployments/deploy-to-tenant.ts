import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { DeployToTenantInput, DeployToTenantResult } from '../../contracts/deployments';
import { messageOf } from '../shared/failures';
import { withInstanceLock } from '../locks/with-instance-lock';
import { notify } from './deploy-to-tenants';

// applyPackage heartbeats by phase and every few hundred steps; a dead worker is noticed within a minute.
const { deployPackageToTenant } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumInterval: '30 seconds', maximumAttempts: 3 },
});

/**
 * One tenant of a mass deployment, as deployments started before batches ran it: holds the instance's lock (docs/approvals-locks-windows.md "Instance locks") while the package is
 * validated and applied. It never fails: a failure is this tenant's result, so the deployment
 * goes on with the others.
 */
export async function deployToTenant(input: DeployToTenantInput): Promise<DeployToTenantResult> {
  const instance = { tenant: input.tenant, landscape: input.landscape };
  let result;
  try {
    result = await withInstanceLock(
      instance,
      `mass deployment ${input.deploymentId}: ${input.packageId}@${input.version}`,
      () => deployPackageToTenant(input),
    );
  } catch (error) {
    return { status: 'failed', reason: messageOf(error) };
  }
  if (result.status === 'skipped') return { status: 'skipped', reason: result.reason ?? 'skipped' };
  if (!input.notifyTenant || !result.contact) return { status: 'succeeded' };
  // docs/mass-deployment-and-promotions.md "Tenant notices": a notice to the tenant's designated address on success; none without one.
  try {
    await notify({
      workflowId: workflowInfo().workflowId,
      idempotencyKey: `${workflowInfo().workflowId}/upgrade-notice`,
      recipients: [result.contact],
      subject: `Your system was upgraded with ${input.packageId} ${input.version}`,
      text: `Package ${input.packageId} version ${input.version} was installed on your ${input.landscape} system (${input.tenant}).`,
    });
    return { status: 'succeeded', notified: result.contact };
  } catch {
    return { status: 'succeeded' };
  }
}
