import { executeChild, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CopyDatabaseInput, CopyDatabaseResult, StagingRefreshInput } from '../contracts/database';
import { SEARCH_ATTRIBUTES } from '../contracts/temporal-names';
import { withInstanceLock } from './locks/with-instance-lock';
const { setMetadataLock } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * Refreshes staging from production (docs/releases.md "Staging refresh": periodically, so both stay in
 * step), under staging's instance lock: it waits while a release holds staging. Staging ends
 * unlocked, as after a release. Run on a Temporal Schedule (client `scheduleStagingRefresh`).
 */
export async function stagingRefresh(input: StagingRefreshInput): Promise<CopyDatabaseResult> {
  upsertSearchAttributes({
    [SEARCH_ATTRIBUTES.tenant]: [input.tenant],
    [SEARCH_ATTRIBUTES.phase]: ['staging-refresh'],
  });
  const staging = { tenant: input.tenant, landscape: 'staging' as const };
  return withInstanceLock(staging, `staging refresh of ${input.tenant} (${workflowInfo().workflowId})`, async () => {
    const copy: CopyDatabaseInput = {
      tenant: input.tenant,
      source: 'production',
      target: 'staging',
      backupType: input.backupType ?? 'live',
    };
    const result = await executeChild('copyDatabase', {
      workflowId: `${workflowInfo().workflowId}/copy`,
      args: [copy],
      staticSummary: `staging refresh: copy ${input.tenant} production → staging`,
    });
    await setMetadataLock({ instance: staging, locked: false });
    return result;
  });
}
