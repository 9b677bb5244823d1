import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES } from '../../contracts/temporal-names';

/**
 * The `StagecoachWaitingFor` search attribute: what a workflow waits for now (the Web UI lists
 * who waits for what). Every change is one upsert, a command in the history: workflows that
 * run for weeks replay them, so callers keep the same changes, with the same values, in the
 * same order.
 */

/** What the workflow waits for now, as last set (an empty list when nothing). */
export function currentWaitingFor(): string[] {
  const value = workflowInfo().searchAttributes?.[SEARCH_ATTRIBUTES.waitingFor];
  return Array.isArray(value) ? (value as string[]) : [];
}

/** Sets what the workflow waits for: one value, a list as read by `currentWaitingFor`, or nothing. */
export function setWaitingFor(value: string | string[] | undefined): void {
  upsertSearchAttributes({ [SEARCH_ATTRIBUTES.waitingFor]: toList(value) });
}

/**
 * Sets what the workflow waits for and returns the function that puts the previous value back.
 * Callers restore in line, where the wait ends, not in a wrapper awaiting the wait: the upsert
 * then stays in the same microtask as the code after it, so its place among the commands of
 * other coroutines (the audit trail's writer) is the one recorded in running histories.
 */
export function startWaitingFor(value: string): () => void {
  const previous = currentWaitingFor();
  setWaitingFor(value);
  return () => setWaitingFor(previous);
}

function toList(value: string | string[] | undefined): string[] {
  if (Array.isArray(value)) return value;
  return value ? [value] : [];
}
