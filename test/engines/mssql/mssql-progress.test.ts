import { describe, expect, it } from 'vitest';
import type { Progress } from '../../../engines/engine';
import { runWithProgress, type ProgressPolling } from '../../../engines/mssql/mssql-progress';
import { backupStatement } from '../../../engines/mssql/mssql-statements';
import {
  deferred,
  RecordingSqlServer,
  replyByPrefix,
  SERVER,
  type Reply,
  type SentStatement,
} from '../../support/database/recording-sql-session';

const BACKUP = backupStatement('acme_production', '/var/opt/mssql/backup/acme.bak', { compression: true });
const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));

function pollingOn(server: RecordingSqlServer, waits: number[] = []): ProgressPolling {
  return {
    openPoller: () => server.open(SERVER, 'master'),
    intervalMs: 2500,
    wait: (ms) => {
      waits.push(ms);
      return immediate();
    },
  };
}

async function runner(server: RecordingSqlServer) {
  return server.open(SERVER, 'master');
}

/**
 * A server running BACKUP on session 57: the backup is held open by `running`, and percent_complete
 * polls are answered by `poll` (none when omitted).
 */
function backupServer(
  running: Promise<unknown[]>,
  poll?: (sent: SentStatement) => Reply,
  spidRow: Record<string, unknown> = { session_id: 57 },
): RecordingSqlServer {
  const replies: Parameters<typeof replyByPrefix>[0] = [
    ['SELECT @@SPID', [spidRow]],
    ['BACKUP DATABASE', running],
  ];
  if (poll) replies.push(['SELECT percent_complete', poll]);
  return new RecordingSqlServer(replyByPrefix(replies));
}

/** Runs BACKUP with progress and returns every progress report received. */
async function backupProgress(server: RecordingSqlServer, polling: ProgressPolling): Promise<Progress[]> {
  const progress: Progress[] = [];
  await runWithProgress(await runner(server), BACKUP, 'BACKUP DATABASE', polling, {
    onProgress: (p) => progress.push(p),
  });
  return progress;
}

describe('SQL Server percent_complete polling', () => {
  it('reads the running session id first, then polls it from a second session every interval until the statement ends', async () => {
    const running = deferred<unknown[]>();
    const percents = [0.5, 33.33333, 87.25];
    let polls = 0;
    const server = backupServer(
      running.promise,
      () => {
        const percent = percents[polls++];
        if (polls === percents.length) running.resolve([]);
        return [{ percent_complete: percent }];
      },
      { session_id: 57, server_name: 'SQL01' },
    );
    const waits: number[] = [];
    const progress = await backupProgress(server, pollingOn(server, waits));

    expect(server.texts(1)).toEqual(['SELECT @@SPID AS session_id, @@SERVERNAME AS server_name', BACKUP.text]);
    expect(server.sent.filter((s) => s.session === 2)).toEqual(
      percents.map(() => ({
        session: 2,
        database: 'master',
        text: 'SELECT percent_complete FROM sys.dm_exec_requests WHERE session_id = @session_id',
        params: { session_id: 57 },
      })),
    );
    expect(progress.map((p) => p.done)).toEqual([0, 0.5, 33.3, 87.3]);
    expect(progress.every((p) => p.unit === 'percent' && p.total === 100 && p.phase === 'BACKUP DATABASE')).toBe(true);
    expect(waits.every((ms) => ms === 2500)).toBe(true);
    // The runner belongs to the caller; only the poller is closed here.
    expect(server.closed).toBe(1);
  });

  it('sends only the statement when nobody listens for progress', async () => {
    const server = new RecordingSqlServer();
    await runWithProgress(await runner(server), BACKUP, 'BACKUP DATABASE', pollingOn(server));
    expect(server.texts()).toEqual([BACKUP.text]);
    expect(server.opened).toHaveLength(1);
  });
});

describe('SQL Server percent_complete polling when polls or the statement fail', () => {
  it('keeps heartbeating the last figure when the poll fails or the request is not visible', async () => {
    const running = deferred<unknown[]>();
    let polls = 0;
    const server = backupServer(running.promise, () => {
      polls += 1;
      if (polls === 1) return [{ percent_complete: 20 }];
      if (polls === 2) return new Error('VIEW SERVER STATE permission was denied');
      running.resolve([]);
      return []; // no row: the request finished between polls, or is invisible to us
    });
    const progress = await backupProgress(server, pollingOn(server));
    expect(progress.map((p) => p.done)).toEqual([0, 20, 20, 20]);
  });

  it('still heartbeats when no second session can be opened, and tries to open it only once', async () => {
    const running = deferred<unknown[]>();
    let waits = 0;
    const server = backupServer(running.promise);
    let openAttempts = 0;
    const polling: ProgressPolling = {
      openPoller: () => {
        openAttempts += 1;
        return Promise.reject(new Error('too many connections'));
      },
      intervalMs: 1000,
      wait: () => {
        waits += 1;
        if (waits === 3) running.resolve([]);
        return immediate();
      },
    };
    const progress = await backupProgress(server, polling);
    expect(openAttempts).toBe(1);
    expect(progress.map((p) => p.done)).toEqual([0, 0, 0]);
  });

  it('propagates the statement failure and closes the poller', async () => {
    const running = deferred<unknown[]>();
    const server = backupServer(running.promise, () => {
      running.reject(new Error('Cannot open backup device'));
      return [{ percent_complete: 5 }];
    });
    const result = runWithProgress(await runner(server), BACKUP, 'BACKUP DATABASE', pollingOn(server), {
      onProgress: () => undefined,
    });
    await expect(result).rejects.toThrow('Cannot open backup device');
    expect(server.closed).toBe(1);
  });
});
