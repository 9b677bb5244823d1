import type { ProgressCallback } from '../engine';
import { percentCompleteStatement, sessionIdStatement, type TsqlStatement } from './mssql-statements';
import type { SqlSession } from './mssql-session';

export interface ProgressPolling {
  /** Opens the second session that watches the first (same server, `master`). */
  openPoller: () => Promise<SqlSession>;
  intervalMs: number;
  /** Resolves after `ms`; injectable so tests drive the polling without real time. */
  wait: (ms: number) => Promise<void>;
}

export const realWait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a long statement (BACKUP, RESTORE, DBCC SHRINKDATABASE) on `runner` while a second
 * session reads its `percent_complete` from `sys.dm_exec_requests` every interval and reports
 * it, so the activity heartbeats even when nothing else moves. A failed poll (for instance no
 * VIEW SERVER STATE permission, or the request not yet visible) re-reports the last figure
 * rather than failing the statement: progress is informative, the statement is what matters.
 */
export async function runWithProgress<Row>(
  runner: SqlSession,
  statement: TsqlStatement,
  phase: string,
  polling: ProgressPolling,
  options: { onProgress?: ProgressCallback; signal?: AbortSignal } = {},
): Promise<Row[]> {
  const { onProgress, signal } = options;
  if (!onProgress) return runner.query<Row>(statement, { signal });
  const [{ session_id: sessionId }] = await runner.query<{ session_id: number }>(sessionIdStatement());
  const running = runner.query<Row>(statement, { signal });
  let settled = false;
  const finished = running.then(
    () => (settled = true),
    () => (settled = true),
  );
  let poller: SqlSession | undefined;
  let pollerUnavailable = false;
  let percent = 0;
  try {
    onProgress({ done: percent, total: 100, unit: 'percent', phase });
    while (!settled) {
      await Promise.race([polling.wait(polling.intervalMs), finished]);
      if (settled) break;
      if (!poller && !pollerUnavailable) {
        // Opened once: a server refusing a second connection should not cost a timeout per poll.
        poller = await polling.openPoller().catch(() => {
          pollerUnavailable = true;
          return undefined;
        });
      }
      percent = (await readPercent(poller, sessionId)) ?? percent;
      onProgress({ done: percent, total: 100, unit: 'percent', phase });
    }
  } finally {
    await poller?.close().catch(() => undefined);
  }
  return running;
}

async function readPercent(poller: SqlSession | undefined, sessionId: number): Promise<number | undefined> {
  if (!poller) return undefined;
  try {
    const rows = await poller.query<{ percent_complete: number }>(percentCompleteStatement(sessionId));
    const value = rows[0]?.percent_complete;
    return typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 10) / 10 : undefined;
  } catch {
    return undefined;
  }
}
