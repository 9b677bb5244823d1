/**
 * The exact T-SQL the SQL Server engine sends (docs/database-operations.md), built by pure functions so the unit
 * tests can assert every statement without a server. Identifiers (databases, tables, users)
 * are validated against a strict pattern and bracket-quoted; every value (file paths, logical
 * file names, session ids) travels as a bound parameter, never inside the text.
 */

import { DatabaseError } from '../engine';
import { quoteIdentifier } from '../identifiers';

export type SqlValue = string | number | null;

/** One batch as sent: its text and its bound parameters (`@name` in the text). */
export interface TsqlStatement {
  text: string;
  params: Record<string, SqlValue>;
}

/** Validates an identifier (the shared helper) and returns it bracket-quoted: `[name]`. */
function quote(what: string, name: string): string {
  return quoteIdentifier('mssql', name, what);
}

// A path on the SQL Server host (Windows `C:\…`, UNC `\\host\share\…` or Linux `/…`).
// Values are bound anyway; the pattern stops quotes, semicolons, comment markers, control
// characters and `..` segments from ever reaching the server, so a hostile path is reported
// instead of being tried.
const PATH_START = /^(?:[A-Za-z]:[\\/]|\\\\[A-Za-z0-9_.-]+[\\/]|\/)/;
const PATH_BODY = /^[A-Za-z0-9 _.()$\-\\/]*$/;

/** Validates a path on the SQL Server host; returns it unchanged. */
export function checkServerPath(what: string, path: string): string {
  const fail = (reason: string) =>
    new DatabaseError('invalid-input', `invalid ${what} ${JSON.stringify(path)}: ${reason}`);
  if (typeof path !== 'string' || path.length === 0 || path.length > 1024) throw fail('expected 1–1024 characters');
  const start = PATH_START.exec(path);
  if (!start) throw fail('expected an absolute path (C:\\…, \\\\host\\share\\… or /…)');
  if (!PATH_BODY.test(path.slice(start[0].length))) {
    throw fail('only letters, digits, spaces and _ . - ( ) $ \\ / are allowed after the root');
  }
  if (path.split(/[\\/]/).includes('..')) throw fail('".." segments are not allowed');
  if (path.includes('--')) throw fail('"--" is not allowed');
  return path;
}

const statement = (text: string, params: Record<string, SqlValue> = {}): TsqlStatement => ({ text, params });

export function sessionIdStatement(): TsqlStatement {
  return statement('SELECT @@SPID AS session_id, @@SERVERNAME AS server_name');
}

/** The progress of another session's BACKUP/RESTORE (needs VIEW SERVER STATE to see it). */
export function percentCompleteStatement(sessionId: number): TsqlStatement {
  if (!Number.isInteger(sessionId) || sessionId <= 0) {
    throw new DatabaseError(
      'invalid-input',
      `invalid session id ${JSON.stringify(sessionId)}: expected a positive integer`,
    );
  }
  return statement('SELECT percent_complete FROM sys.dm_exec_requests WHERE session_id = @session_id', {
    session_id: sessionId,
  });
}

export function backupStatement(database: string, file: string, options: { compression: boolean }): TsqlStatement {
  const withOptions = ['COPY_ONLY', 'CHECKSUM', ...(options.compression ? ['COMPRESSION'] : []), 'INIT'];
  return statement(
    `BACKUP DATABASE ${quote('database name', database)} TO DISK = @file WITH ${withOptions.join(', ')}`,
    { file: checkServerPath('backup file', file) },
  );
}

/** msdb's record of the newest backup of `database` written to `file` (bytes on the media). */
export function backupSizeStatement(database: string, file: string): TsqlStatement {
  quote('database name', database);
  return statement(
    'SELECT TOP (1) bs.compressed_backup_size AS bytes FROM msdb.dbo.backupset AS bs ' +
      'JOIN msdb.dbo.backupmediafamily AS mf ON mf.media_set_id = bs.media_set_id ' +
      'WHERE bs.database_name = @database AND mf.physical_device_name = @file ORDER BY bs.backup_finish_date DESC',
    { database, file: checkServerPath('backup file', file) },
  );
}

export function verifyBackupStatement(file: string): TsqlStatement {
  return statement('RESTORE VERIFYONLY FROM DISK = @file WITH CHECKSUM', {
    file: checkServerPath('backup file', file),
  });
}

export function fileListStatement(file: string): TsqlStatement {
  return statement('RESTORE FILELISTONLY FROM DISK = @file', { file: checkServerPath('backup file', file) });
}

/** Where the server puts new data and log files (SQL Server 2012 and later). */
export function defaultFilePathsStatement(): TsqlStatement {
  return statement(
    "SELECT CAST(SERVERPROPERTY('InstanceDefaultDataPath') AS nvarchar(1024)) AS data_path, " +
      "CAST(SERVERPROPERTY('InstanceDefaultLogPath') AS nvarchar(1024)) AS log_path",
  );
}

/** No row when the database does not exist; else ONLINE, RESTORING, SUSPECT, OFFLINE, … */
export function databaseStateStatement(database: string): TsqlStatement {
  quote('database name', database);
  return statement('SELECT state_desc FROM sys.databases WHERE name = @database', { database });
}

export function singleUserStatement(database: string): TsqlStatement {
  return statement(`ALTER DATABASE ${quote('database name', database)} SET SINGLE_USER WITH ROLLBACK IMMEDIATE`);
}

export function multiUserStatement(database: string): TsqlStatement {
  return statement(`ALTER DATABASE ${quote('database name', database)} SET MULTI_USER`);
}

/** A file of the backup and where the restored database keeps it. */
export interface FileMove {
  logicalName: string;
  physicalName: string;
}

export function restoreStatement(database: string, file: string, moves: FileMove[]): TsqlStatement {
  const params: Record<string, SqlValue> = { file: checkServerPath('backup file', file) };
  // RESTORE accepts variables for both sides of MOVE, so even logical names read from the
  // backup itself never enter the text.
  const moveClauses = moves.map((move, i) => {
    params[`logical_${i}`] = move.logicalName;
    params[`physical_${i}`] = checkServerPath(`restore target file for ${move.logicalName}`, move.physicalName);
    return `MOVE @logical_${i} TO @physical_${i}`;
  });
  return statement(
    `RESTORE DATABASE ${quote('database name', database)} FROM DISK = @file WITH ` +
      [...moveClauses, 'REPLACE', 'CHECKSUM'].join(', '),
    params,
  );
}

/**
 * SQL users of the restored database whose SID matches no login on this server (they came
 * from another server), with whether a login of the same name exists to re-map them to.
 */
export function orphanedUsersStatement(database: string): TsqlStatement {
  const db = quote('database name', database);
  return statement(
    'SELECT dp.name AS user_name, CASE WHEN sp.name IS NULL THEN 0 ELSE 1 END AS has_login ' +
      `FROM ${db}.sys.database_principals AS dp ` +
      "LEFT JOIN sys.server_principals AS sp ON sp.type = 'S' " +
      'AND sp.name COLLATE DATABASE_DEFAULT = dp.name COLLATE DATABASE_DEFAULT ' +
      "WHERE dp.type = 'S' AND dp.authentication_type = 1 AND dp.principal_id > 4 " +
      'AND NOT EXISTS (SELECT 1 FROM sys.server_principals AS login WHERE login.sid = dp.sid) ' +
      'ORDER BY dp.name',
  );
}

/** Re-maps a user to the login of the same name, run in the restored database's context. */
export function repairOrphanedUserStatement(database: string, user: string): TsqlStatement {
  const quotedUser = quote('database user', user);
  return statement(`EXEC ${quote('database name', database)}.sys.sp_executesql @statement`, {
    statement: `ALTER USER ${quotedUser} WITH LOGIN = ${quotedUser}`,
  });
}

/**
 * Row count and content checksum of one table in a single scan, without sorting.
 * CHECKSUM_AGG(BINARY_CHECKSUM(*)) is order-independent but XOR-like (two identical rows
 * cancel out), so the arithmetic SUM of the same row checksums is kept beside it. Neither is
 * cryptographic: they catch a wrong, partial or damaged restore; the backup file itself is
 * guarded by SHA-256 and `WITH CHECKSUM`. BINARY_CHECKSUM skips text/ntext/image/xml columns.
 */
export function tableFingerprintStatement(database: string, table: string, schema = 'dbo'): TsqlStatement {
  const target = [quote('database name', database), quote('schema name', schema), quote('table name', table)];
  return statement(
    'SELECT COUNT_BIG(*) AS row_count, CHECKSUM_AGG(BINARY_CHECKSUM(*)) AS checksum_agg, ' +
      `SUM(CAST(BINARY_CHECKSUM(*) AS bigint)) AS checksum_sum FROM ${target.join('.')}`,
  );
}

/** Base tables of a database's schema, for fingerprinting every table. */
export function listTablesStatement(database: string, schema = 'dbo'): TsqlStatement {
  quote('schema name', schema);
  const db = quote('database name', database);
  return statement(
    `SELECT t.name AS table_name FROM ${db}.sys.tables AS t JOIN ${db}.sys.schemas AS s ON s.schema_id = t.schema_id ` +
      'WHERE s.name = @schema AND t.is_ms_shipped = 0 ORDER BY t.name',
    { schema },
  );
}

export function dropDatabaseStatement(database: string): TsqlStatement {
  return statement(`DROP DATABASE ${quote('database name', database)}`);
}

export function renameDatabaseStatement(from: string, to: string): TsqlStatement {
  return statement(`ALTER DATABASE ${quote('database name', from)} MODIFY NAME = ${quote('database name', to)}`);
}

/** Allocated size of the data files (not the log), in bytes: `size` counts 8 KiB pages. */
export function databaseSizeStatement(database: string): TsqlStatement {
  return statement(
    `SELECT SUM(CAST(size AS bigint)) * 8192 AS size_bytes FROM ${quote('database name', database)}.sys.database_files WHERE type = 0`,
  );
}

export function shrinkDatabaseStatement(database: string): TsqlStatement {
  return statement(`DBCC SHRINKDATABASE (${quote('database name', database)}) WITH NO_INFOMSGS`);
}
