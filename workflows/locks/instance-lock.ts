import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { rootFailure } from '../shared/failures';
import {
  acquireLockSignal,
  acquireLockUpdate,
  forceReleaseLockUpdate,
  lockGrantedSignalFor,
  lockStatusQuery,
  releaseLockSignal,
  type ForceReleaseRequest,
  type InstanceLockInput,
} from '../../contracts/instance-locks';
import { SEARCH_ATTRIBUTES } from '../../contracts/temporal-names';
import {
  enqueue,
  grantNext,
  release,
  type LockHolder,
  type LockQueue,
  type LockRequest,
} from '../../domain/instance-locks';
import { instanceKey } from '../../domain/landscapes';
import { createAuditTrail, type AuditTrail } from '../audit-trail';
const { authorizeAction } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '10 seconds' },
});

const { describeLockHolder } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds' },
});

const DEFAULT_HOLDER_CHECK_SECONDS = 60;
const DEFAULT_MAX_HISTORY_EVENTS = 10_000;

/**
 * The instance lock of docs/approvals-locks-windows.md: one workflow per tenant instance (`lock/<tenant>/<landscape>`)
 * that serializes releases, deployments, promotions and refreshes, FIFO. It lives for years:
 * idle it only sleeps; it continues as new when its history grows, carrying the queue.
 */
export async function instanceLock(input: InstanceLockInput): Promise<never> {
  const lockWorkflowId = workflowInfo().workflowId;
  const lock: LockQueue = input.carried ?? { queue: [], finished: [] };
  // Locks started before audit rows went through local activities keep scheduling activities.
  const trail = createAuditTrail(`instance lock ${instanceKey(input.instance)}`, {
    localActivities: patched('lock-audit-local-activities'),
  });
  registerHandlers(lock, trail);
  upsertSearchAttributes({
    [SEARCH_ATTRIBUTES.tenant]: [input.instance.tenant],
    [SEARCH_ATTRIBUTES.instance]: [instanceKey(input.instance)],
  });

  const checkEvery = (input.holderCheckSeconds ?? DEFAULT_HOLDER_CHECK_SECONDS) * 1000;
  const maxEvents = input.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
  const timeToContinue = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > maxEvents;

  for (;;) {
    if (!lock.holder && lock.queue.length > 0) {
      await grant(lock, lockWorkflowId, trail);
      continue;
    }
    if (timeToContinue()) {
      // Signals and updates still being handled, or audit rows not yet written, would be
      // lost with this run; a signal may arrive while the last rows are written.
      do {
        await condition(allHandlersFinished);
        await trail.settled();
      } while (!trail.idle());
      await continueAsNew<typeof instanceLock>({ ...input, carried: lock });
    }
    const holder = lock.holder;
    if (!holder) {
      await condition(() => lock.queue.length > 0 || timeToContinue());
      continue;
    }
    const changed = await condition(() => lock.holder !== holder || timeToContinue(), checkEvery);
    if (!changed) await checkHolderAlive(lock, holder, trail);
  }
}

function registerHandlers(lock: LockQueue, trail: AuditTrail): void {
  const acquire = (request: LockRequest) => {
    const result = enqueue(lock, request);
    trail.record(result === 'queued' ? 'lock-requested' : `lock-request-${result}`, request.holderWorkflowId, {
      requestId: request.requestId,
      reason: request.reason,
      position: lock.queue.length,
    });
  };
  setHandler(acquireLockSignal, acquire);
  setHandler(acquireLockUpdate, (request) => {
    acquire(request);
    if (!lock.holder && lock.queue[0]?.requestId === request.requestId) {
      const holder = grantNext(lock, new Date().toISOString())!;
      trail.record('lock-granted', holder.holderWorkflowId, { requestId: holder.requestId, reason: holder.reason });
    }
    return { granted: lock.holder?.requestId === request.requestId };
  });
  setHandler(releaseLockSignal, ({ requestId, holderWorkflowId }) => {
    const result = release(lock, requestId);
    const kind = { released: 'lock-released', withdrawn: 'lock-request-withdrawn', unknown: 'lock-release-unknown' }[
      result
    ];
    trail.record(kind, holderWorkflowId, { requestId });
  });
  setHandler(
    forceReleaseLockUpdate,
    async ({ user, reason, requestId }) => {
      // docs/approvals-locks-windows.md "Who may act"; force-releases from before the check replay without it.
      if (patched('force-release-role-check')) {
        const action = `force-release the lock ${workflowInfo().workflowId}`;
        await authorizeAction({ user, role: 'lock-admin', action }).catch((error: unknown) => {
          throw rootFailure(error);
        });
        const holder = lock.holder;
        if (!holder || (requestId && holder.requestId !== requestId))
          throw ApplicationFailure.create({
            type: 'LockChanged',
            message: 'the lock changed hands while the role was checked; look again and retry',
            nonRetryable: true,
          });
      }
      const released = lock.holder!;
      release(lock, released.requestId);
      trail.record('lock-force-released', user, {
        reason,
        holder: released.holderWorkflowId,
        requestId: released.requestId,
      });
      return { released };
    },
    { validator: validateForceRelease(lock) },
  );
  setHandler(lockStatusQuery, () => ({
    lockWorkflowId: workflowInfo().workflowId,
    holder: lock.holder,
    queue: lock.queue,
  }));
}

function validateForceRelease(lock: LockQueue) {
  return (request: ForceReleaseRequest): void => {
    if (!request.user?.trim()) throw new Error('a force-release must name the admin who does it');
    if (!request.reason?.trim()) throw new Error('a force-release needs a reason; it is written to the audit table');
    if (!lock.holder) throw new Error('the lock is free: there is no holder to release');
    if (request.requestId && request.requestId !== lock.holder.requestId) {
      throw new Error(`request ${request.requestId} does not hold the lock; ${lock.holder.holderWorkflowId} does`);
    }
  };
}

/** Makes the oldest request the holder and tells it; a holder that is gone is skipped. */
async function grant(lock: LockQueue, lockWorkflowId: string, trail: AuditTrail): Promise<void> {
  const holder = grantNext(lock, new Date().toISOString())!;
  trail.record('lock-granted', holder.holderWorkflowId, { requestId: holder.requestId, reason: holder.reason });
  try {
    await getExternalWorkflowHandle(holder.holderWorkflowId, holder.holderRunId).signal(
      lockGrantedSignalFor(lockWorkflowId),
      {
        requestId: holder.requestId,
        lockWorkflowId,
      },
    );
  } catch (error) {
    // The holder closed while it waited in the queue (e.g. terminated): nobody will release.
    if (lock.holder?.requestId === holder.requestId) release(lock, holder.requestId);
    trail.record('lock-holder-gone', holder.holderWorkflowId, { requestId: holder.requestId, error: String(error) });
  }
}

async function checkHolderAlive(lock: LockQueue, holder: LockHolder, trail: AuditTrail): Promise<void> {
  const state = await describeLockHolder({ workflowId: holder.holderWorkflowId, runId: holder.holderRunId });
  if (state.running || lock.holder?.requestId !== holder.requestId) return;
  release(lock, holder.requestId);
  trail.record('lock-holder-gone', holder.holderWorkflowId, { requestId: holder.requestId, status: state.status });
}
