import { executeChild } from '@temporalio/workflow';
import type { ReleaseContext } from '../release-context';
import type { RefreshTransactionalResult, TransactionalRefreshInput } from '../../../contracts/database';

/** Step 3: production's transactional data into UAT (UAT keeps its own configuration). */
export async function uatRefresh(ctx: ReleaseContext): Promise<RefreshTransactionalResult> {
  ctx.state.enterPhase('uat-refresh', 'transactional data production → UAT');
  const input: TransactionalRefreshInput = { tenant: ctx.input.tenant, source: 'production', target: 'uat' };
  return executeChild('transactionalRefresh', {
    workflowId: ctx.childId('uat-refresh'),
    args: [input],
    staticSummary: `uat-refresh: transactional data ${ctx.input.tenant} production → uat`,
  });
}
