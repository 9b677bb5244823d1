import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { instanceLockWorkflowId } from '../../domain/instance-locks';
import type { InstanceRef } from '../../domain/landscapes';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal-names';
import { lockGrantedSignalFor, releaseLockSignal } from '../messages';

const { requestInstanceLock } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds' },
});

/**
 * Runs `fn` while holding the instance's lock (SPEC §5), waiting in its FIFO queue first.
 *
 * The request goes through an activity doing signal-with-start, because the lock workflow
 * may not run yet and only a client can start-or-signal atomically; `getExternalWorkflowHandle`
 * could only signal a lock that already runs. The release is an external signal from the
 * workflow itself (the lock runs by then), sent even when the holder is cancelled or fails.
 * A holder that is terminated sends nothing: the lock notices by itself.
 */
export async function withInstanceLock<T>(instance: InstanceRef, reason: string, fn: () => Promise<T>): Promise<T> {
  const lockWorkflowId = instanceLockWorkflowId(instance);
  const requestId = uuid4();
  const grantSignal = lockGrantedSignalFor(lockWorkflowId);
  let granted = false;
  setHandler(grantSignal, (grant) => {
    if (grant.requestId === requestId) granted = true;
  });
  const previousWaitingFor = currentWaitingFor();
  try {
    upsertSearchAttributes({ [SEARCH_ATTRIBUTES.waitingFor]: ['instance-lock'] });
    const { workflowId, runId } = workflowInfo();
    await requestInstanceLock({
      instance,
      lockWorkflowId,
      request: { requestId, holderWorkflowId: workflowId, holderRunId: runId, reason, requestedAt: new Date().toISOString() },
    });
    await condition(() => granted);
    upsertSearchAttributes({ [SEARCH_ATTRIBUTES.waitingFor]: previousWaitingFor });
    return await fn();
  } finally {
    setHandler(grantSignal, undefined);
    // Also when the request is still queued (or its activity was cancelled mid-flight):
    // the lock withdraws it, and remembers the id should the request arrive after all.
    await CancellationScope.nonCancellable(async () => {
      try {
        await getExternalWorkflowHandle(lockWorkflowId).signal(releaseLockSignal, { requestId, holderWorkflowId: workflowInfo().workflowId });
      } catch (error) {
        log.warn('could not release the instance lock', { lockWorkflowId, requestId, error: String(error) });
      }
    });
    if (!granted) upsertSearchAttributes({ [SEARCH_ATTRIBUTES.waitingFor]: previousWaitingFor });
  }
}

function currentWaitingFor(): string[] {
  const value = workflowInfo().searchAttributes?.[SEARCH_ATTRIBUTES.waitingFor];
  return Array.isArray(value) ? (value as string[]) : [];
}
