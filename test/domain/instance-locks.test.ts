import { describe, expect, it } from 'vitest';
import { enqueue, grantNext, release, type LockQueue, type LockRequest } from '../../domain/instance-locks';
import { instanceLockWorkflowId } from '../../contracts/instance-locks';

const request = (id: string): LockRequest => ({
  requestId: id,
  holderWorkflowId: `wf-${id}`,
  holderRunId: 'run',
  reason: id,
  requestedAt: '',
});

describe('instance lock queue', () => {
  it('names the lock after the instance', () => {
    expect(instanceLockWorkflowId({ tenant: 'acme', landscape: 'staging' })).toBe('lock/acme/staging');
  });

  it('grants first come first served and ignores duplicate requests', () => {
    const lock: LockQueue = { queue: [], finished: [] };
    expect([enqueue(lock, request('a')), enqueue(lock, request('b')), enqueue(lock, request('a'))]).toEqual([
      'queued',
      'queued',
      'duplicate',
    ]);
    expect(grantNext(lock, 'now')?.requestId).toBe('a');
    expect(grantNext(lock, 'now')).toBeUndefined();
    expect(release(lock, 'a')).toBe('released');
    expect(grantNext(lock, 'now')?.requestId).toBe('b');
  });

  it('remembers a withdrawal that overtook its request, so the late request is not queued', () => {
    const lock: LockQueue = { queue: [], finished: [] };
    expect(release(lock, 'late')).toBe('unknown');
    expect(enqueue(lock, request('late'))).toBe('already-finished');
    expect(lock.queue).toEqual([]);
  });
});
