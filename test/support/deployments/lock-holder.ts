import type { Client, WorkflowHandle } from '@temporalio/client';
import type { InstanceRef } from '../../../domain/landscapes';
import { holdingQuery } from '../../workflows/fixtures/test-workflows';
import { pollUntil } from '../poll';

/**
 * Starts the test-only `lockHolder` workflow (test/workflows/fixtures/) on `instance` and returns once it holds the
 * instance lock; signal `finishSignal` to let go.
 */
export async function holdInstanceLock(
  ctx: { client: { temporal: Client }; taskQueue: string },
  instance: InstanceRef,
  reason: string,
): Promise<WorkflowHandle> {
  const holder = await ctx.client.temporal.workflow.start('lockHolder', {
    taskQueue: ctx.taskQueue,
    workflowId: `holder/${instance.tenant}/${Date.now()}`,
    args: [{ instance, reason }],
  });
  await pollUntil(
    'lock holder',
    () => holder.query<boolean>(holdingQuery),
    (holding) => holding,
    { timeoutMs: 20_000 },
  );
  return holder;
}
