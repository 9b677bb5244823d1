import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { DatabaseError, type Progress } from '../../../engines/engine';
import { MssqlEngine } from '../../../engines/mssql/mssql-engine';
import {
  batchError,
  deferred,
  RecordingSqlServer,
  replyByPrefix,
  SERVER,
  type Reply,
  type SentStatement,
} from '../../support/database/recording-sql-session';
import { rejectionOf } from '../../support/poll';

const FILE = '/var/opt/mssql/backup/acme_production_release-acme-1.bak';
const SOURCE = { ...SERVER, database: 'acme_production' };
const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));

function engineOn(server: RecordingSqlServer, warnings: string[] = []): MssqlEngine {
  return new MssqlEngine({
    openSession: server.open,
    pollIntervalMs: 1000,
    wait: immediate,
    warn: (m) => warnings.push(m),
  });
}

const failureOf = (promise: Promise<unknown>) => rejectionOf(promise, DatabaseError);

/** Holds the long statement open until the poller has answered `percents.length` times. */
function longStatement(prefix: string, percents: number[]): Array<[string, Reply | ((sent: SentStatement) => Reply)]> {
  const running = deferred<unknown[]>();
  let polls = 0;
  return [
    ['SELECT @@SPID', [{ session_id: 61, server_name: 'SQL01' }]],
    [prefix, running.promise],
    [
      'SELECT percent_complete',
      () => {
        const percent = percents[polls++];
        if (polls === percents.length) running.resolve([]);
        return [{ percent_complete: percent }];
      },
    ],
  ];
}

describe('SQL Server backup', () => {
  it('sends BACKUP then RESTORE VERIFYONLY in master and reports percent_complete from a second session', async () => {
    const server = new RecordingSqlServer(
      replyByPrefix([
        ...longStatement('BACKUP DATABASE', [12.5, 60, 100]),
        ['SELECT TOP (1) bs.compressed_backup_size', [{ bytes: 4096 }]],
      ]),
    );
    const progress: Progress[] = [];
    const result = await engineOn(server).backup(SOURCE, FILE, { onProgress: (p) => progress.push(p) });

    expect(result).toEqual({ file: FILE, bytes: 4096 });
    expect(server.opened.map((o) => o.database)).toEqual(['master', 'master']);
    expect(server.texts(1)).toEqual([
      'SELECT @@SPID AS session_id, @@SERVERNAME AS server_name',
      'BACKUP DATABASE [acme_production] TO DISK = @file WITH COPY_ONLY, CHECKSUM, COMPRESSION, INIT',
      'SELECT @@SPID AS session_id, @@SERVERNAME AS server_name',
      'RESTORE VERIFYONLY FROM DISK = @file WITH CHECKSUM',
      expect.stringMatching(/^SELECT TOP \(1\) bs.compressed_backup_size/),
    ]);
    expect(server.sent.find((s) => s.text.startsWith('BACKUP'))!.params).toEqual({ file: FILE });
    // The poller watched the backup's session id.
    const polls = server.sent.filter((s) => s.session === 2);
    expect(polls.map((p) => p.params)).toEqual([{ session_id: 61 }, { session_id: 61 }, { session_id: 61 }]);
    expect(progress.filter((p) => p.phase === 'BACKUP DATABASE').map((p) => p.done)).toEqual([0, 12.5, 60, 100]);
    expect(progress[0]).toEqual({ done: 0, total: 100, unit: 'percent', phase: 'BACKUP DATABASE' });
    expect(server.closed).toBe(server.opened.length);
  });

  it('falls back to an uncompressed backup on editions without compression (1844)', async () => {
    const warnings: string[] = [];
    const server = new RecordingSqlServer(
      replyByPrefix([
        [
          'BACKUP DATABASE [acme_production] TO DISK = @file WITH COPY_ONLY, CHECKSUM, COMPRESSION',
          batchError(
            [1844, 'BACKUP DATABASE WITH COMPRESSION is not supported on Express Edition'],
            [3013, 'BACKUP DATABASE is terminating abnormally.'],
          ),
        ],
      ]),
    );
    await engineOn(server, warnings).backup(SOURCE, FILE);
    expect(server.texts()).toEqual([
      'BACKUP DATABASE [acme_production] TO DISK = @file WITH COPY_ONLY, CHECKSUM, COMPRESSION, INIT',
      'BACKUP DATABASE [acme_production] TO DISK = @file WITH COPY_ONLY, CHECKSUM, INIT',
      'RESTORE VERIFYONLY FROM DISK = @file WITH CHECKSUM',
      expect.stringMatching(/^SELECT TOP \(1\)/),
    ]);
    expect(warnings).toEqual([
      'SQL Server sql.example.test cannot compress backups (edition); backing up acme_production uncompressed',
    ]);
  });

  it('fails non-retryably naming the file when the backup device cannot be opened', async () => {
    const server = new RecordingSqlServer(
      replyByPrefix([
        [
          'BACKUP DATABASE',
          batchError(
            [
              3201,
              `Cannot open backup device '${FILE}'. Operating system error 2(The system cannot find the file specified.).`,
            ],
            [3013, 'BACKUP DATABASE is terminating abnormally.'],
          ),
        ],
      ]),
    );
    const error = await failureOf(engineOn(server).backup(SOURCE, FILE));
    expect(error.kind).toBe('missing-file');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(`file "${FILE}"`);
    expect(error.message).toContain('database "acme_production"');
    expect(error.message).toContain('SQL Server error 3201, 3013');
    expect(server.texts()).toHaveLength(1);
  });
});

describe('SQL Server verify', () => {
  it('runs RESTORE VERIFYONLY on the given server and maps a damaged backup to a checksum failure', async () => {
    const server = new RecordingSqlServer(
      replyByPrefix([
        [
          'RESTORE VERIFYONLY',
          batchError(
            [3189, `Damage to the backup set was detected.`],
            [3013, 'VERIFY DATABASE is terminating abnormally.'],
          ),
        ],
      ]),
    );
    const error = await failureOf(engineOn(server).verifyBackup(FILE, { server: SERVER }));
    expect(server.texts()).toEqual(['RESTORE VERIFYONLY FROM DISK = @file WITH CHECKSUM']);
    expect(error.kind).toBe('checksum');
    expect(error.message).toMatch(/^RESTORE VERIFYONLY failed: the backup is damaged/);
    expect(error.message).toContain(`file "${FILE}"`);
  });

  it('refuses to verify without a server to read the file', async () => {
    const server = new RecordingSqlServer();
    const error = await failureOf(engineOn(server).verifyBackup(FILE));
    expect(error.kind).toBe('invalid-input');
    expect(server.opened).toHaveLength(0);
  });
});

const SCRATCH = 'acme_staging_restore_r1';
const FILE_LIST = [
  { LogicalName: 'acme', PhysicalName: 'D:\\prod\\acme.mdf', Type: 'D' },
  { LogicalName: 'acme_log', PhysicalName: 'D:\\prod\\acme_log.ldf', Type: 'L' },
];

function restoreReplies(overrides: Array<[string, Reply | ((sent: SentStatement) => Reply)]> = []) {
  return replyByPrefix([
    ...overrides,
    ['RESTORE FILELISTONLY', FILE_LIST],
    ['SELECT CAST(SERVERPROPERTY', [{ data_path: '/var/opt/mssql/data/', log_path: '/var/opt/mssql/log/' }]],
    // The scratch database does not exist yet; the target does.
    ['SELECT state_desc', (sent) => (sent.params.database === SCRATCH ? [] : [{ state_desc: 'ONLINE' }])],
    [
      'SELECT dp.name AS user_name',
      [
        { user_name: 'app_user', has_login: 1 },
        { user_name: 'report_reader', has_login: 0 },
      ],
    ],
  ]);
}

describe('SQL Server restore', () => {
  it('restores into the scratch database, swaps it in place of the target and repairs orphaned users', async () => {
    const warnings: string[] = [];
    const server = new RecordingSqlServer(restoreReplies(longStatement('RESTORE DATABASE', [40, 100])));
    const progress: Progress[] = [];
    await engineOn(server, warnings).restore(SERVER, FILE, {
      scratchName: SCRATCH,
      onProgress: (p) => progress.push(p),
    });

    expect(server.texts(1)).toEqual([
      'RESTORE FILELISTONLY FROM DISK = @file',
      "SELECT CAST(SERVERPROPERTY('InstanceDefaultDataPath') AS nvarchar(1024)) AS data_path, CAST(SERVERPROPERTY('InstanceDefaultLogPath') AS nvarchar(1024)) AS log_path",
      'SELECT state_desc FROM sys.databases WHERE name = @database',
      'SELECT @@SPID AS session_id, @@SERVERNAME AS server_name',
      `RESTORE DATABASE [${SCRATCH}] FROM DISK = @file WITH MOVE @logical_0 TO @physical_0, MOVE @logical_1 TO @physical_1, REPLACE, CHECKSUM`,
      'SELECT state_desc FROM sys.databases WHERE name = @database',
      'ALTER DATABASE [acme_staging] SET SINGLE_USER WITH ROLLBACK IMMEDIATE',
      'DROP DATABASE [acme_staging]',
      `ALTER DATABASE [${SCRATCH}] MODIFY NAME = [acme_staging]`,
      'ALTER DATABASE [acme_staging] SET MULTI_USER',
      expect.stringMatching(/^SELECT dp.name AS user_name, .* FROM \[acme_staging\]\.sys\.database_principals/),
      'EXEC [acme_staging].sys.sp_executesql @statement',
    ]);
    const restore = server.sent.find((s) => s.text.startsWith('RESTORE DATABASE'))!;
    expect(restore.params).toEqual({
      file: FILE,
      logical_0: 'acme',
      physical_0: `/var/opt/mssql/data/${SCRATCH}.mdf`,
      logical_1: 'acme_log',
      physical_1: `/var/opt/mssql/log/${SCRATCH}_log.ldf`,
    });
    expect(server.sent.at(-1)!.params).toEqual({ statement: 'ALTER USER [app_user] WITH LOGIN = [app_user]' });
    expect(progress.map((p) => p.done)).toEqual([0, 40, 100]);
    expect(warnings).toEqual([
      'database acme_staging on sql.example.test: users without a login of their name: report_reader',
    ]);
  });

  it('takes over its own scratch database left by an earlier attempt and uses the configured data directory', async () => {
    const server = new RecordingSqlServer(
      replyByPrefix([
        ['RESTORE FILELISTONLY', FILE_LIST],
        ['SELECT state_desc', (sent) => (sent.params.database === SCRATCH ? [{ state_desc: 'ONLINE' }] : [])],
      ]),
    );
    await engineOn(server).restore({ ...SERVER, dataDirectory: 'E:\\SQLData' }, FILE, { scratchName: SCRATCH });
    expect(server.texts()).toEqual([
      'RESTORE FILELISTONLY FROM DISK = @file',
      'SELECT state_desc FROM sys.databases WHERE name = @database',
      `ALTER DATABASE [${SCRATCH}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE`,
      expect.stringMatching(/^RESTORE DATABASE \[acme_staging_restore_r1\] FROM DISK = @file WITH MOVE/),
      'SELECT state_desc FROM sys.databases WHERE name = @database',
      `ALTER DATABASE [${SCRATCH}] MODIFY NAME = [acme_staging]`,
      'ALTER DATABASE [acme_staging] SET MULTI_USER',
      expect.stringMatching(/^SELECT dp.name AS user_name/),
    ]);
    const restore = server.sent.find((s) => s.text.startsWith('RESTORE DATABASE'))!;
    expect(restore.params.physical_0).toBe(`E:\\SQLData\\${SCRATCH}.mdf`);
    expect(restore.params.physical_1).toBe(`E:\\SQLData\\${SCRATCH}_log.ldf`);
  });

  it('restores over a scratch database a crashed attempt left RESTORING, without ALTER DATABASE on it', async () => {
    const server = new RecordingSqlServer(
      restoreReplies([
        ['SELECT state_desc', (sent) => [{ state_desc: sent.params.database === SCRATCH ? 'RESTORING' : 'ONLINE' }]],
      ]),
    );
    await engineOn(server).restore(SERVER, FILE, { scratchName: SCRATCH });
    expect(server.texts().slice(2, 5)).toEqual([
      'SELECT state_desc FROM sys.databases WHERE name = @database',
      expect.stringMatching(/^RESTORE DATABASE \[acme_staging_restore_r1\]/),
      'SELECT state_desc FROM sys.databases WHERE name = @database',
    ]);
    expect(server.texts().filter((t) => t.startsWith(`ALTER DATABASE [${SCRATCH}] SET`))).toEqual([]);
  });
});

describe('SQL Server restore failures', () => {
  it('leaves the target untouched when the backup fails its checksum during RESTORE', async () => {
    const damaged = batchError(
      [3183, 'RESTORE detected an error on page (1:312) in database "acme_staging_restore_r1" as being restored.'],
      [3013, 'RESTORE DATABASE is terminating abnormally.'],
    );
    const server = new RecordingSqlServer(restoreReplies([['RESTORE DATABASE', damaged]]));
    const error = await failureOf(engineOn(server).restore(SERVER, FILE, { scratchName: SCRATCH }));

    expect(error.kind).toBe('checksum');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(`file "${FILE}"`);
    expect(error.message).toContain('database "acme_staging"');
    expect(server.texts().filter((t) => t.includes('[acme_staging]'))).toEqual([]);
    expect(server.texts().at(-1)).toMatch(/^RESTORE DATABASE \[acme_staging_restore_r1\]/);
  });

  it('maps a missing backup file at FILELISTONLY and sends nothing after it', async () => {
    const missing = batchError(
      [
        3201,
        `Cannot open backup device '${FILE}'. Operating system error 2(The system cannot find the file specified.).`,
      ],
      [3013, 'RESTORE FILELIST is terminating abnormally.'],
    );
    const server = new RecordingSqlServer(restoreReplies([['RESTORE FILELISTONLY', missing]]));
    const error = await failureOf(engineOn(server).restore(SERVER, FILE, { scratchName: SCRATCH }));
    expect(error.kind).toBe('missing-file');
    expect(server.texts()).toEqual(['RESTORE FILELISTONLY FROM DISK = @file']);
  });

  it('puts the old target back in multi-user mode when it cannot be dropped', async () => {
    const server = new RecordingSqlServer(
      restoreReplies([
        ['DROP DATABASE', batchError([3702, 'Cannot drop database "acme_staging" because it is currently in use.'])],
      ]),
    );
    const error = await failureOf(engineOn(server).restore(SERVER, FILE, { scratchName: SCRATCH }));
    expect(error.kind).toBe('transient');
    expect(server.texts().slice(-3)).toEqual([
      'ALTER DATABASE [acme_staging] SET SINGLE_USER WITH ROLLBACK IMMEDIATE',
      'DROP DATABASE [acme_staging]',
      'ALTER DATABASE [acme_staging] SET MULTI_USER',
    ]);
  });

  it('refuses a scratch name equal to the target before connecting', async () => {
    const server = new RecordingSqlServer();
    const error = await failureOf(engineOn(server).restore(SERVER, FILE, { scratchName: 'ACME_STAGING' }));
    expect(error.kind).toBe('invalid-input');
    expect(server.opened).toHaveLength(0);
  });
});

describe('SQL Server fingerprints and database housekeeping', () => {
  it('fingerprints each table by three-part name and encodes count and checksums', async () => {
    const server = new RecordingSqlServer(
      replyByPrefix([
        [
          'SELECT COUNT_BIG(*)',
          (sent) =>
            sent.text.endsWith('[incidents]')
              ? [{ row_count: '1000000', checksum_agg: -1, checksum_sum: '-2' }]
              : [{ row_count: '0', checksum_agg: null, checksum_sum: null }],
        ],
      ]),
    );
    const progress: Progress[] = [];
    const prints = await engineOn(server).fingerprints(SERVER, ['incidents', 'app_log'], {
      onProgress: (p) => progress.push(p),
    });
    expect(server.texts()).toEqual([
      'SELECT COUNT_BIG(*) AS row_count, CHECKSUM_AGG(BINARY_CHECKSUM(*)) AS checksum_agg, SUM(CAST(BINARY_CHECKSUM(*) AS bigint)) AS checksum_sum FROM [acme_staging].[dbo].[incidents]',
      'SELECT COUNT_BIG(*) AS row_count, CHECKSUM_AGG(BINARY_CHECKSUM(*)) AS checksum_agg, SUM(CAST(BINARY_CHECKSUM(*) AS bigint)) AS checksum_sum FROM [acme_staging].[dbo].[app_log]',
    ]);
    expect(prints).toEqual([
      { table: 'incidents', rows: 1_000_000, checksum: 'ffffffff' + 'fffffffffffffffe' },
      { table: 'app_log', rows: 0, checksum: '0'.repeat(24) },
    ]);
    expect(progress.map((p) => `${p.done}/${p.total} ${p.unit}`)).toEqual(['1/2 tables', '2/2 tables']);
  });

  it('drops only an existing database, after taking it to single-user', async () => {
    const exists = new RecordingSqlServer(replyByPrefix([['SELECT state_desc', [{ state_desc: 'ONLINE' }]]]));
    await engineOn(exists).dropDatabase(SERVER);
    expect(exists.texts()).toEqual([
      'SELECT state_desc FROM sys.databases WHERE name = @database',
      'ALTER DATABASE [acme_staging] SET SINGLE_USER WITH ROLLBACK IMMEDIATE',
      'DROP DATABASE [acme_staging]',
    ]);
    const absent = new RecordingSqlServer(replyByPrefix([['SELECT state_desc', []]]));
    await engineOn(absent).dropDatabase(SERVER);
    expect(absent.texts()).toEqual(['SELECT state_desc FROM sys.databases WHERE name = @database']);
    expect(await engineOn(absent).databaseExists(SERVER)).toBe(false);
  });

  it('drops a database left RESTORING without trying to make it single-user', async () => {
    const server = new RecordingSqlServer(replyByPrefix([['SELECT state_desc', [{ state_desc: 'RESTORING' }]]]));
    await engineOn(server).dropDatabase(SERVER);
    expect(server.texts()).toEqual([
      'SELECT state_desc FROM sys.databases WHERE name = @database',
      'DROP DATABASE [acme_staging]',
    ]);
  });

  it('renames in single-user mode and reads sizes and shrinks by quoted name', async () => {
    const server = new RecordingSqlServer(replyByPrefix([['SELECT SUM(CAST(size', [{ size_bytes: '16777216' }]]]));
    const engine = engineOn(server);
    await engine.renameDatabase(SERVER, 'acme_staging_old');
    expect(await engine.databaseSizeBytes(SERVER)).toBe(16_777_216);
    await engine.compact(SERVER);
    expect(server.sent.map((s) => s.text)).toEqual([
      'ALTER DATABASE [acme_staging] SET SINGLE_USER WITH ROLLBACK IMMEDIATE',
      'ALTER DATABASE [acme_staging] MODIFY NAME = [acme_staging_old]',
      'ALTER DATABASE [acme_staging_old] SET MULTI_USER',
      'SELECT SUM(CAST(size AS bigint)) * 8192 AS size_bytes FROM [acme_staging].sys.database_files WHERE type = 0',
      'DBCC SHRINKDATABASE ([acme_staging]) WITH NO_INFOMSGS',
    ]);
  });

  it('gives knex a tedious configuration for the tenant database', () => {
    const config = new MssqlEngine().knexConfig({ ...SERVER, encrypt: false });
    expect(config.client).toBe('mssql');
    expect(config.connection).toMatchObject({
      server: 'sql.example.test',
      port: 1433,
      userName: 'stagecoach',
      database: 'acme_staging',
    });
  });
});

describe('SQL Server injection attempts reach no server', () => {
  const hostile = 'x]; DROP DATABASE y; --';

  it.each([
    ['backup of a hostile database', (e: MssqlEngine) => e.backup({ ...SOURCE, database: hostile }, FILE)],
    ['backup to a quoted path', (e: MssqlEngine) => e.backup(SOURCE, "/var/backups/x'; DROP DATABASE y; --.bak")],
    ['verify of a quoted path', (e: MssqlEngine) => e.verifyBackup('C:\\backups\\a".bak', { server: SERVER })],
    [
      'restore into a hostile target',
      (e: MssqlEngine) => e.restore({ ...SERVER, database: hostile }, FILE, { scratchName: SCRATCH }),
    ],
    ['restore through a hostile scratch', (e: MssqlEngine) => e.restore(SERVER, FILE, { scratchName: hostile })],
    [
      'restore from a traversal path',
      (e: MssqlEngine) => e.restore(SERVER, '/var/backups/../../etc/passwd', { scratchName: SCRATCH }),
    ],
    [
      'fingerprint of a hostile table',
      (e: MssqlEngine) => e.fingerprints(SERVER, ['incidents', 'incidents; DROP TABLE x']),
    ],
    ['rename to a hostile name', (e: MssqlEngine) => e.renameDatabase(SERVER, hostile)],
    ['drop of a hostile database', (e: MssqlEngine) => e.dropDatabase({ ...SERVER, database: hostile })],
    ['shrink of a hostile database', (e: MssqlEngine) => e.compact({ ...SERVER, database: hostile })],
  ])('%s', async (_name, call) => {
    const server = new RecordingSqlServer();
    const error = await failureOf(call(engineOn(server)));
    expect(['invalid-identifier', 'invalid-input']).toContain(error.kind);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/"(x\]; DROP DATABASE y; --|.*'.*|.*".*|.*\.\..*|incidents; DROP TABLE x)"/);
    expect(server.opened).toHaveLength(0);
    expect(server.sent).toHaveLength(0);
  });
});

describe('SQL Server engine over the real mssql driver', () => {
  it('reports a server that refuses connections as a transient failure naming it', async () => {
    const closed = await closedPort();
    const error = await failureOf(
      new MssqlEngine().databaseExists({ ...SERVER, host: '127.0.0.1', port: closed, encrypt: false }),
    );
    expect(error.kind).toBe('transient');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`server 127.0.0.1:${closed}, database "acme_staging"`);
    expect(error.message).not.toContain(SERVER.password!);
  });
});

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as { port: number };
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  return port;
}
