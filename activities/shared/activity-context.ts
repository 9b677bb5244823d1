import { Context } from '@temporalio/activity';
import type { ProgressCallback } from '../../engines/engine';

/**
 * The running activity's context, or nothing when an activity function is called directly
 * (benchmarks, scripts): heartbeats then become no-ops instead of errors.
 */
export function currentActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** Details of the last heartbeat of a previous attempt (what a retry resumes from). */
export function lastHeartbeat<T>(): T | undefined {
  return currentActivity()?.info.heartbeatDetails as T | undefined;
}

export function heartbeat(details?: unknown): void {
  currentActivity()?.heartbeat(details);
}

export function cancellationSignal(): AbortSignal | undefined {
  return currentActivity()?.cancellationSignal;
}

/** Engine progress as heartbeats, so the Web UI shows where a long step is. */
export function heartbeatProgress(step: string): ProgressCallback {
  return (progress) => heartbeat({ step, ...progress });
}
