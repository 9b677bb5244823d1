import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { LockHolder, LockQueue, LockRequest } from '../domain/instance-locks';
import { instanceKey, type InstanceRef } from '../domain/landscapes';
export const acquireLockSignal = defineSignal<[LockRequest]>('acquire-lock');

/**
 * The same request as an Update (sent with update-with-start): a free lock grants it in the
 * handler and says so in the answer, so the holder needs no grant signal; a busy lock queues it
 * and signals the grant later, as for the signal.
 */
export interface LockAcquireAnswer {
  granted: boolean;
}

export const acquireLockUpdate = defineUpdate<LockAcquireAnswer, [LockRequest]>('acquire-lock');

/** From the holder when it is done, or to withdraw a request still in the queue. */
export interface LockRelease {
  requestId: string;
  holderWorkflowId: string;
}

export const releaseLockSignal = defineSignal<[LockRelease]>('release-lock');

/**
 * Sent by the lock to the holder. One signal name per lock workflow, so a workflow waiting for
 * several instances at once (production and staging) has one handler per lock.
 */
export interface LockGrant {
  requestId: string;
  lockWorkflowId: string;
}

export const lockGrantedSignalFor = (lockWorkflowId: string) =>
  defineSignal<[LockGrant]>(`lock-granted:${lockWorkflowId}`);

/** An admin frees the instance from a holder that will not release it; audited with the reason. */
export interface ForceReleaseRequest {
  user: string;
  reason: string;
  /** When given, only this request is released (protects against releasing a newer holder). */
  requestId?: string;
}

export interface ForceReleaseResult {
  released: LockHolder;
}

export const forceReleaseLockUpdate = defineUpdate<ForceReleaseResult, [ForceReleaseRequest]>('force-release-lock');

export interface InstanceLockStatus {
  lockWorkflowId: string;
  holder?: LockHolder;
  queue: LockRequest[];
}

export const lockStatusQuery = defineQuery<InstanceLockStatus>('lock-status');

export interface InstanceLockInput {
  instance: InstanceRef;
  /** Seconds between checks that the holder still runs (default 60). */
  holderCheckSeconds?: number;
  /** Continue as new past this history length even if the server does not suggest it yet. */
  maxHistoryEvents?: number;
  /** Queue and holder carried over by continue-as-new. */
  carried?: LockQueue;
}

/** Workflow type of the lock; a wire name (client visibility queries use it). */
export const INSTANCE_LOCK_WORKFLOW_TYPE = 'instanceLock';

/** `lock/<tenant>/<landscape>`: one lock workflow per tenant instance. */
export function instanceLockWorkflowId(instance: InstanceRef): string {
  return `lock/${instanceKey(instance)}`;
}

export interface RequestInstanceLockInput {
  instance: InstanceRef;
  lockWorkflowId: string;
  request: LockRequest;
}

export interface HolderState {
  running: boolean;
  /** Temporal's execution status name, or NOT_FOUND. */
  status: string;
}
