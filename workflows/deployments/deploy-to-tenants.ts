import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { BatchTenantOutcome, DeployToTenantsInput, TenantBatchResult } from '../../contracts/deployments';
import { messageOf } from '../shared/failures';
import { withEachInstanceLock } from '../locks/with-instance-lock';
// Per tenant the activity heartbeats by phase; a dead worker is noticed within a minute. Its
// own retries are for a crash: tenant failures come back as results.
const { deployPackageToTenants } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: { maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/** The tenant notices of docs/mass-deployment-and-promotions.md; a mail server that is down costs the notice, not the tenant. */
export const { notify } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/**
 * A batch of a mass deployment's tenants: asks all their instance locks at once (docs/approvals-locks-windows.md "Instance locks") and
 * applies the package on each tenant while holding its lock, in groups of whatever was granted.
 * One child per batch instead of per tenant keeps the orchestration cost per tenant to its lock.
 * It never fails: every tenant's outcome is in the result, so the deployment goes on.
 */
export async function deployToTenants(input: DeployToTenantsInput): Promise<BatchTenantOutcome[]> {
  const { notifyTenants, ...batch } = input;
  const outcomes = new Map<string, TenantBatchResult>();
  const instances = input.tenants.map((tenant) => ({ tenant, landscape: input.landscape }));
  try {
    await withEachInstanceLock(
      instances,
      `mass deployment ${input.deploymentId}: ${input.packageId}@${input.version}`,
      async (granted) => {
        const tenants = granted.map((instance) => instance.tenant);
        try {
          for (const result of await deployPackageToTenants({ ...batch, tenants })) outcomes.set(result.tenant, result);
        } catch (error) {
          for (const tenant of tenants) outcomes.set(tenant, { tenant, status: 'failed', reason: messageOf(error) });
        }
      },
    );
  } catch (error) {
    const reason = messageOf(error);
    for (const tenant of input.tenants)
      if (!outcomes.has(tenant)) outcomes.set(tenant, { tenant, status: 'failed', reason });
  }
  const results = input.tenants.map((tenant) => outcomes.get(tenant)!);
  if (!notifyTenants) return results.map(withoutContact);
  return Promise.all(results.map((result) => noticeFor(input, result)));
}

// docs/mass-deployment-and-promotions.md "Tenant notices": a notice to the tenant's designated address on success; none without one.
async function noticeFor(input: DeployToTenantsInput, result: TenantBatchResult): Promise<BatchTenantOutcome> {
  if (result.status !== 'succeeded' || !result.contact) return withoutContact(result);
  try {
    await notify({
      workflowId: workflowInfo().workflowId,
      idempotencyKey: `${workflowInfo().workflowId}/${result.tenant}/upgrade-notice`,
      recipients: [result.contact],
      subject: `Your system was upgraded with ${input.packageId} ${input.version}`,
      text: `Package ${input.packageId} version ${input.version} was installed on your ${input.landscape} system (${result.tenant}).`,
    });
    const backup = result.backupId === undefined ? {} : { backupId: result.backupId };
    return { tenant: result.tenant, status: 'succeeded', notified: result.contact, ...backup };
  } catch {
    return withoutContact(result);
  }
}

function withoutContact(result: TenantBatchResult): BatchTenantOutcome {
  if (result.status !== 'succeeded') return { tenant: result.tenant, status: result.status, reason: result.reason };
  return result.backupId === undefined
    ? { tenant: result.tenant, status: 'succeeded' }
    : { tenant: result.tenant, status: 'succeeded', backupId: result.backupId };
}
