import { ApplicationFailure, isCancellation } from '@temporalio/workflow';

/**
 * The innermost ApplicationFailure of an activity or child failure, re-thrown as the workflow's
 * own failure, so the caller reads "user 'carol' may not promote…" rather than "Activity task failed".
 */
export function rootFailure(error: unknown): unknown {
  if (isCancellation(error)) return error;
  let current: unknown = error;
  let found: ApplicationFailure | undefined;
  while (current instanceof Error) {
    if (current instanceof ApplicationFailure) found = current;
    current = (current as { cause?: unknown }).cause;
  }
  if (!found) return error;
  return ApplicationFailure.create({
    type: found.type ?? undefined,
    message: found.message,
    nonRetryable: true,
    details: found.details ? [...found.details] : undefined,
  });
}

/**
 * The message of `rootFailure(error)` (bundles, deployments): the innermost ApplicationFailure's,
 * else the outermost error's (a cancellation, a timeout) as it is.
 */
export function messageOf(error: unknown): string {
  const root = rootFailure(error);
  return root instanceof Error ? root.message : String(root);
}

/**
 * The message a person needs (releases): the last non-empty message along the whole `cause`
 * chain, whatever the links are. Kept apart from `messageOf`, whose answers differ: for an
 * activity that timed out or was cancelled this names the TimeoutFailure or CancelledFailure
 * inside (messageOf names the outer ActivityFailure), for an ApplicationFailure caused by
 * another error this names that error, and a plain `{ message }` object gives its message
 * (messageOf gives "[object Object]"). Both end up in status and audit rows already written.
 */
export function describeFailure(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  let message = current?.message ?? String(error);
  while (current?.cause) {
    current = current.cause as { message?: string; cause?: unknown };
    if (current.message) message = current.message;
  }
  return message;
}
