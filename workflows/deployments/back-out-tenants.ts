import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { BackOutTenantOutcome, BackOutTenantsInput } from '../../contracts/deployments';
import { messageOf } from '../shared/failures';
import { withEachInstanceLock } from '../locks/with-instance-lock';

// A restore heartbeats by phase; a dead worker is noticed within a minute. A retry finds the
// tenants it already restored (their rows say backed-out) and does not restore them twice.
const { restoreDeploymentBackups } = proxyActivities<Activities>({
  startToCloseTimeout: '4 hours',
  heartbeatTimeout: '1 minute',
  retry: { maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/**
 * Backs out a batch of a halted wave's tenants (docs/mass-deployment-and-promotions.md "Waves"): under their instance
 * locks (docs/approvals-locks-windows.md "Instance locks"), each is restored from the backup the deployment took and
 * verified by fingerprint. It never fails: each tenant's outcome is in the result.
 */
export async function backOutDeploymentTenants(input: BackOutTenantsInput): Promise<BackOutTenantOutcome[]> {
  const outcomes = new Map<string, BackOutTenantOutcome>();
  const instances = input.tenants.map((tenant) => ({ tenant, landscape: input.landscape }));
  try {
    await withEachInstanceLock(instances, `back-out of mass deployment ${input.deploymentId}`, async (granted) => {
      const tenants = granted.map((instance) => instance.tenant);
      try {
        for (const outcome of await restoreDeploymentBackups({ ...input, tenants }))
          outcomes.set(outcome.tenant, outcome);
      } catch (error) {
        for (const tenant of tenants) outcomes.set(tenant, { tenant, status: 'failed', reason: messageOf(error) });
      }
    });
  } catch (error) {
    const reason = messageOf(error);
    for (const tenant of input.tenants)
      if (!outcomes.has(tenant)) outcomes.set(tenant, { tenant, status: 'failed', reason });
  }
  return input.tenants.map((tenant) => outcomes.get(tenant)!);
}
