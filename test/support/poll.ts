import { expect } from 'vitest';

export interface PollOptions<T> {
  timeoutMs?: number;
  intervalMs?: number;
  /** What the failure message shows of the last reading (default: all of it). */
  shown?: (value: T) => unknown;
}

/**
 * Reads until `predicate` holds. A failed read counts as "not yet" (a query fails while a workflow
 * continues as new or a worker restarts); past the timeout the test fails naming `what` and the last
 * reading or error.
 */
export async function pollUntil<T>(
  what: string,
  read: () => Promise<T>,
  predicate: (value: T) => boolean,
  { timeoutMs = 30_000, intervalMs = 250, shown = (value) => value }: PollOptions<T> = {},
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await read();
      if (predicate(value)) return value;
      last = shown(value);
    } catch (error) {
      last = error instanceof Error ? error.message : error;
    }
    if (Date.now() > until) throw new Error(`${what} never matched; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The error `run` rejects with, checked to be a `type` (the test fails when `run` resolves). */
export async function rejectionOf<E>(run: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}
