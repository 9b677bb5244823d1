/** Instance lock rules of docs/approvals-locks-windows.md, as pure functions over the lock's queue. */

/** A holder's place in the lock's queue; the holder is a workflow run. */
export interface LockRequest {
  /** Unique per request (a deterministic uuid from the holder): duplicates are ignored. */
  requestId: string;
  holderWorkflowId: string;
  holderRunId: string;
  /** Why it needs the instance, e.g. `release acme 1.1: production push`. */
  reason: string;
  requestedAt: string;
}

export interface LockHolder extends LockRequest {
  grantedAt: string;
}

export interface LockQueue {
  holder?: LockHolder;
  queue: LockRequest[];
  /** Recently finished request ids, so a late duplicate acquire is not queued again. */
  finished: string[];
}

/** How many finished request ids a lock remembers (and carries over continue-as-new). */
export const REMEMBERED_REQUESTS = 200;

export type EnqueueResult = 'queued' | 'duplicate' | 'already-finished';

export function enqueue(lock: LockQueue, request: LockRequest): EnqueueResult {
  if (lock.finished.includes(request.requestId)) return 'already-finished';
  if (lock.holder?.requestId === request.requestId || lock.queue.some((r) => r.requestId === request.requestId)) {
    return 'duplicate';
  }
  lock.queue.push(request);
  return 'queued';
}

export type LockReleaseOutcome = 'released' | 'withdrawn' | 'unknown';

/**
 * Frees the lock when `requestId` holds it, or takes it out of the queue. An unknown id is
 * remembered too: a withdrawal can overtake its own acquire (a cancelled holder).
 */
export function release(lock: LockQueue, requestId: string): LockReleaseOutcome {
  remember(lock, requestId);
  if (lock.holder?.requestId === requestId) {
    lock.holder = undefined;
    return 'released';
  }
  const index = lock.queue.findIndex((r) => r.requestId === requestId);
  if (index < 0) return 'unknown';
  lock.queue.splice(index, 1);
  return 'withdrawn';
}

/** FIFO: the oldest request becomes the holder. */
export function grantNext(lock: LockQueue, now: string): LockHolder | undefined {
  if (lock.holder) return undefined;
  const next = lock.queue.shift();
  if (!next) return undefined;
  lock.holder = { ...next, grantedAt: now };
  return lock.holder;
}

function remember(lock: LockQueue, requestId: string): void {
  if (!lock.finished.includes(requestId)) lock.finished.push(requestId);
  if (lock.finished.length > REMEMBERED_REQUESTS) lock.finished.splice(0, lock.finished.length - REMEMBERED_REQUESTS);
}
