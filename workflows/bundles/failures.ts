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

export function messageOf(error: unknown): string {
  const root = rootFailure(error);
  return root instanceof Error ? root.message : String(root);
}
