import { describe, expect, it } from 'vitest';
import { DatabaseError } from '../../../engines/engine';
import {
  backupSizeStatement,
  backupStatement,
  checkServerPath,
  databaseStateStatement,
  databaseSizeStatement,
  defaultFilePathsStatement,
  dropDatabaseStatement,
  fileListStatement,
  multiUserStatement,
  orphanedUsersStatement,
  percentCompleteStatement,
  renameDatabaseStatement,
  repairOrphanedUserStatement,
  restoreStatement,
  shrinkDatabaseStatement,
  singleUserStatement,
  tableFingerprintStatement,
  verifyBackupStatement,
} from '../../../engines/mssql/mssql-statements';
import { planFileMoves } from '../../../engines/mssql/mssql-restore';

const FILE = '/var/opt/mssql/backup/acme_production_release-acme-1.bak';

describe('SQL Server statements: the exact T-SQL sent for backup and restore', () => {
  it('backs up copy-only with checksum, compression and INIT, the file bound as a parameter', () => {
    expect(backupStatement('acme_production', FILE, { compression: true })).toEqual({
      text: 'BACKUP DATABASE [acme_production] TO DISK = @file WITH COPY_ONLY, CHECKSUM, COMPRESSION, INIT',
      params: { file: FILE },
    });
    expect(backupStatement('acme_production', FILE, { compression: false }).text).toBe(
      'BACKUP DATABASE [acme_production] TO DISK = @file WITH COPY_ONLY, CHECKSUM, INIT',
    );
  });

  it('verifies, lists files and reads sizes with the file as a parameter', () => {
    expect(verifyBackupStatement(FILE)).toEqual({
      text: 'RESTORE VERIFYONLY FROM DISK = @file WITH CHECKSUM',
      params: { file: FILE },
    });
    expect(fileListStatement(FILE)).toEqual({ text: 'RESTORE FILELISTONLY FROM DISK = @file', params: { file: FILE } });
    expect(backupSizeStatement('acme_production', FILE)).toEqual({
      text:
        'SELECT TOP (1) bs.compressed_backup_size AS bytes FROM msdb.dbo.backupset AS bs ' +
        'JOIN msdb.dbo.backupmediafamily AS mf ON mf.media_set_id = bs.media_set_id ' +
        'WHERE bs.database_name = @database AND mf.physical_device_name = @file ORDER BY bs.backup_finish_date DESC',
      params: { database: 'acme_production', file: FILE },
    });
  });

  it('restores with one MOVE per file, logical and physical names bound, REPLACE and CHECKSUM', () => {
    const moves = [
      { logicalName: 'acme', physicalName: '/var/opt/mssql/data/acme_scratch.mdf' },
      { logicalName: "acme_log'; --", physicalName: '/var/opt/mssql/data/acme_scratch_log.ldf' },
    ];
    expect(restoreStatement('acme_scratch', FILE, moves)).toEqual({
      text:
        'RESTORE DATABASE [acme_scratch] FROM DISK = @file WITH MOVE @logical_0 TO @physical_0, ' +
        'MOVE @logical_1 TO @physical_1, REPLACE, CHECKSUM',
      params: {
        file: FILE,
        logical_0: 'acme',
        physical_0: '/var/opt/mssql/data/acme_scratch.mdf',
        logical_1: "acme_log'; --",
        physical_1: '/var/opt/mssql/data/acme_scratch_log.ldf',
      },
    });
  });
});

describe('SQL Server statements: the exact T-SQL sent to manage and inspect databases', () => {
  it('switches user modes, drops and renames by bracket-quoted name', () => {
    expect(singleUserStatement('acme_uat').text).toBe(
      'ALTER DATABASE [acme_uat] SET SINGLE_USER WITH ROLLBACK IMMEDIATE',
    );
    expect(multiUserStatement('acme_uat').text).toBe('ALTER DATABASE [acme_uat] SET MULTI_USER');
    expect(dropDatabaseStatement('acme_uat').text).toBe('DROP DATABASE [acme_uat]');
    expect(renameDatabaseStatement('acme_scratch', 'acme_uat').text).toBe(
      'ALTER DATABASE [acme_scratch] MODIFY NAME = [acme_uat]',
    );
    expect(databaseStateStatement('acme_uat')).toEqual({
      text: 'SELECT state_desc FROM sys.databases WHERE name = @database',
      params: { database: 'acme_uat' },
    });
  });

  it('finds orphaned SQL users by SID and repairs them in the database context', () => {
    expect(orphanedUsersStatement('acme_uat').text).toBe(
      'SELECT dp.name AS user_name, CASE WHEN sp.name IS NULL THEN 0 ELSE 1 END AS has_login ' +
        'FROM [acme_uat].sys.database_principals AS dp ' +
        "LEFT JOIN sys.server_principals AS sp ON sp.type = 'S' " +
        'AND sp.name COLLATE DATABASE_DEFAULT = dp.name COLLATE DATABASE_DEFAULT ' +
        "WHERE dp.type = 'S' AND dp.authentication_type = 1 AND dp.principal_id > 4 " +
        'AND NOT EXISTS (SELECT 1 FROM sys.server_principals AS login WHERE login.sid = dp.sid) ' +
        'ORDER BY dp.name',
    );
    expect(repairOrphanedUserStatement('acme_uat', 'app_user')).toEqual({
      text: 'EXEC [acme_uat].sys.sp_executesql @statement',
      params: { statement: 'ALTER USER [app_user] WITH LOGIN = [app_user]' },
    });
  });

  it('fingerprints a table with count, CHECKSUM_AGG and SUM of BINARY_CHECKSUM by three-part name', () => {
    expect(tableFingerprintStatement('acme_uat', 'incidents').text).toBe(
      'SELECT COUNT_BIG(*) AS row_count, CHECKSUM_AGG(BINARY_CHECKSUM(*)) AS checksum_agg, ' +
        'SUM(CAST(BINARY_CHECKSUM(*) AS bigint)) AS checksum_sum FROM [acme_uat].[dbo].[incidents]',
    );
  });

  it('polls percent_complete of the running session, bound as a parameter', () => {
    expect(percentCompleteStatement(53)).toEqual({
      text: 'SELECT percent_complete FROM sys.dm_exec_requests WHERE session_id = @session_id',
      params: { session_id: 53 },
    });
    expect(() => percentCompleteStatement(0)).toThrow(/session id/);
  });

  it('reads sizes, shrinks and asks the server for its default file paths', () => {
    expect(databaseSizeStatement('acme_uat').text).toBe(
      'SELECT SUM(CAST(size AS bigint)) * 8192 AS size_bytes FROM [acme_uat].sys.database_files WHERE type = 0',
    );
    expect(shrinkDatabaseStatement('acme_uat').text).toBe('DBCC SHRINKDATABASE ([acme_uat]) WITH NO_INFOMSGS');
    expect(defaultFilePathsStatement().text).toBe(
      "SELECT CAST(SERVERPROPERTY('InstanceDefaultDataPath') AS nvarchar(1024)) AS data_path, " +
        "CAST(SERVERPROPERTY('InstanceDefaultLogPath') AS nvarchar(1024)) AS log_path",
    );
  });
});

describe('SQL Server restore file placement', () => {
  it('names data and log files after the restored database, in the server directory style', () => {
    const files = [
      { LogicalName: 'acme', PhysicalName: 'D:\\prod\\acme.mdf', Type: 'D' },
      { LogicalName: 'acme_log', PhysicalName: 'D:\\prod\\acme_log.ldf', Type: 'L' },
      { LogicalName: 'acme_data2', PhysicalName: 'D:\\prod\\acme2.ndf', Type: 'D' },
    ];
    expect(planFileMoves(files, 'acme_scratch', 'E:\\SQLData', 'F:\\SQLLogs\\')).toEqual([
      { logicalName: 'acme', physicalName: 'E:\\SQLData\\acme_scratch.mdf' },
      { logicalName: 'acme_log', physicalName: 'F:\\SQLLogs\\acme_scratch_log.ldf' },
      { logicalName: 'acme_data2', physicalName: 'E:\\SQLData\\acme_scratch_1.ndf' },
    ]);
    expect(planFileMoves(files.slice(0, 2), 'acme_scratch', '/var/opt/mssql/data/', '/var/opt/mssql/data')).toEqual([
      { logicalName: 'acme', physicalName: '/var/opt/mssql/data/acme_scratch.mdf' },
      { logicalName: 'acme_log', physicalName: '/var/opt/mssql/data/acme_scratch_log.ldf' },
    ]);
  });
});

describe('SQL Server injection attempts are refused before any SQL is built', () => {
  const hostileNames = [
    'x]; DROP DATABASE y; --',
    'acme prod',
    'acme"',
    "acme'",
    '1acme',
    '',
    'a'.repeat(64),
    'acme;',
    'acmé',
  ];

  it.each(hostileNames)('database name %j', (name) => {
    expect(() => backupStatement(name, FILE, { compression: true })).toThrow(DatabaseError);
    expect(() => singleUserStatement(name)).toThrow(JSON.stringify(name));
    expect(() => restoreStatement(name, FILE, [])).toThrow(JSON.stringify(name));
    expect(() => databaseStateStatement(name)).toThrow(JSON.stringify(name));
  });

  it.each(hostileNames)('table and user name %j', (name) => {
    expect(() => tableFingerprintStatement('acme', name)).toThrow(`invalid table name ${JSON.stringify(name)}`);
    expect(() => repairOrphanedUserStatement('acme', name)).toThrow(`invalid database user ${JSON.stringify(name)}`);
    expect(() => renameDatabaseStatement('acme', name)).toThrow(JSON.stringify(name));
  });

  const hostilePaths = [
    "/var/backups/a'; DROP DATABASE y; --.bak",
    "C:\\backups\\o'brien.bak",
    '/var/backups/"quoted".bak',
    '/var/backups/../../etc/shadow',
    '/var/backups/a.bak;',
    '/var/backups/a--b.bak',
    '/var/backups/line\nbreak.bak',
    'relative/acme.bak',
    '',
  ];

  it.each(hostilePaths)('backup file %j', (file) => {
    let error: unknown;
    try {
      backupStatement('acme', file, { compression: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).kind).toBe('invalid-input');
    expect((error as DatabaseError).message).toContain(`invalid backup file ${JSON.stringify(file)}`);
    expect(() => verifyBackupStatement(file)).toThrow(JSON.stringify(file));
    expect(() => fileListStatement(file)).toThrow(JSON.stringify(file));
  });

  it('refuses a hostile MOVE target even when the backup file is fine', () => {
    expect(() => restoreStatement('acme', FILE, [{ logicalName: 'acme', physicalName: "/data/x'.mdf" }])).toThrow(
      'invalid restore target file for acme "/data/x\'.mdf"',
    );
  });

  it('accepts ordinary Windows, UNC and Linux paths', () => {
    for (const path of [
      'C:\\Program Files (x86)\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Backup\\acme.bak',
      '\\\\backup01\\D$\\sql\\acme.bak',
      FILE,
    ]) {
      expect(checkServerPath('backup file', path)).toBe(path);
    }
  });
});
