import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { InstanceRef } from '../../domain/landscapes';
import { instanceLockWorkflowId, lockGrantedSignalFor, releaseLockSignal } from '../../contracts/instance-locks';
import { setWaitingFor, startWaitingFor } from '../shared/waiting-for';
const { requestInstanceLock, requestInstanceLocks } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds' },
});

/**
 * Runs `fn` while holding the instance's lock (docs/approvals-locks-windows.md "Instance locks"), waiting in its FIFO queue first.
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
  const stopWaiting = startWaitingFor('instance-lock');
  try {
    const { workflowId, runId } = workflowInfo();
    await requestInstanceLock({
      instance,
      lockWorkflowId,
      request: {
        requestId,
        holderWorkflowId: workflowId,
        holderRunId: runId,
        reason,
        requestedAt: new Date().toISOString(),
      },
    });
    await condition(() => granted);
    stopWaiting();
    return await fn();
  } finally {
    setHandler(grantSignal, undefined);
    // Also when the request is still queued (or its activity was cancelled mid-flight):
    // the lock withdraws it, and remembers the id should the request arrive after all.
    await CancellationScope.nonCancellable(() => releaseLock(lockWorkflowId, requestId));
    if (!granted) stopWaiting();
  }
}

interface PendingLock {
  instance: InstanceRef;
  lockWorkflowId: string;
  requestId: string;
  granted: boolean;
  done: boolean;
}

/**
 * Takes the locks of several instances (a mass deployment's batch) and runs `use` on the
 * instances granted so far, releasing each right after its turn. All requests go out at once,
 * in one activity; no lock is waited for while holding another, so two batches can never
 * deadlock. `use` should not throw: a throw releases everything and ends the batch.
 */
export async function withEachInstanceLock(
  instances: InstanceRef[],
  reason: string,
  use: (granted: InstanceRef[]) => Promise<void>,
): Promise<void> {
  const locks: PendingLock[] = instances.map((instance) => ({
    instance,
    lockWorkflowId: instanceLockWorkflowId(instance),
    requestId: uuid4(),
    granted: false,
    done: false,
  }));
  for (const lock of locks) {
    setHandler(lockGrantedSignalFor(lock.lockWorkflowId), (grant) => {
      if (grant.requestId === lock.requestId) lock.granted = true;
    });
  }
  const ready = () => locks.filter((lock) => lock.granted && !lock.done);
  const releaseAll = (released: PendingLock[]) =>
    CancellationScope.nonCancellable(() =>
      Promise.all(released.map((lock) => releaseLock(lock.lockWorkflowId, lock.requestId))),
    );
  let waiting = false;
  try {
    const { workflowId, runId } = workflowInfo();
    const requestedAt = new Date().toISOString();
    // Histories from before the answer listed grants hold no answer: every grant came by signal.
    const answer = await requestInstanceLocks({
      requests: locks.map((lock) => ({
        instance: lock.instance,
        lockWorkflowId: lock.lockWorkflowId,
        request: { requestId: lock.requestId, holderWorkflowId: workflowId, holderRunId: runId, reason, requestedAt },
      })),
    });
    const grantedAtOnce = new Set(answer?.granted ?? []);
    for (const lock of locks) if (grantedAtOnce.has(lock.requestId)) lock.granted = true;
    while (locks.some((lock) => !lock.done)) {
      if (ready().length === 0) {
        // Only a lock held by someone else keeps us here long: the Web UI says what we wait for.
        if (!waiting) setWaitingFor('instance-lock');
        waiting = true;
        await condition(() => ready().length > 0);
      }
      if (waiting) setWaitingFor(undefined);
      waiting = false;
      const group = ready();
      try {
        await use(group.map((lock) => lock.instance));
      } finally {
        for (const lock of group) lock.done = true;
        await releaseAll(group);
      }
    }
  } finally {
    // Requests still queued (cancelled, or `use` threw) are withdrawn.
    const left = locks.filter((lock) => !lock.done);
    for (const lock of left) lock.done = true;
    await releaseAll(left);
    for (const lock of locks) setHandler(lockGrantedSignalFor(lock.lockWorkflowId), undefined);
    if (waiting) setWaitingFor(undefined);
  }
}

async function releaseLock(lockWorkflowId: string, requestId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(lockWorkflowId).signal(releaseLockSignal, {
      requestId,
      holderWorkflowId: workflowInfo().workflowId,
    });
  } catch (error) {
    log.warn('could not release the instance lock', { lockWorkflowId, requestId, error: String(error) });
  }
}
