import fs from 'node:fs/promises';
import type { Knex } from 'knex';
import {
  DatabaseError,
  type BackupOptions,
  type BackupResult,
  type DatabaseConnection,
  type DatabaseEngine,
  type EngineCallOptions,
  type RestoreOptions,
  type ServerConnection,
  type TableFingerprint,
  type VerifyBackupOptions,
  TENANT_POOL_IDLE,
} from '../engine';
import { assertIdentifier } from '../identifiers';
import { classifyMssqlError, errorNumbers } from './mssql-errors';
import { realWait, runWithProgress, type ProgressPolling } from './mssql-progress';
import { databaseState, dropIfExists, repairOrphanedUsers, restoreViaScratch } from './mssql-restore';
import { openMssqlSession, type OpenSqlSession, type SqlSession } from './mssql-session';
import {
  backupSizeStatement,
  backupStatement,
  checkServerPath,
  databaseSizeStatement,
  multiUserStatement,
  renameDatabaseStatement,
  shrinkDatabaseStatement,
  singleUserStatement,
  tableFingerprintStatement,
  verifyBackupStatement,
} from './mssql-statements';

export interface MssqlEngineOptions {
  /** How sessions are opened; tests pass a recording implementation. */
  openSession?: OpenSqlSession;
  /** How often `percent_complete` is read while BACKUP/RESTORE/SHRINK run. */
  pollIntervalMs?: number;
  wait?: (ms: number) => Promise<void>;
  /** Things an operator should know that do not fail the operation (e.g. unrepaired users). */
  warn?: (message: string) => void;
}

/** 1844: BACKUP … WITH COMPRESSION is not supported on this edition (Express, Web). */
const COMPRESSION_UNSUPPORTED = 1844;

/**
 * SQL Server engine over `mssql` (docs/database-operations.md). Administration runs in `master` on the server of
 * the connection; tables are reached by three-part names, so no session ever changes database.
 */
export class MssqlEngine implements DatabaseEngine {
  readonly kind = 'mssql' as const;
  private readonly openSession: OpenSqlSession;
  private readonly pollIntervalMs: number;
  private readonly wait: (ms: number) => Promise<void>;
  private readonly warn: (message: string) => void;

  constructor(options: MssqlEngineOptions = {}) {
    this.openSession = options.openSession ?? openMssqlSession;
    this.pollIntervalMs = options.pollIntervalMs ?? 5_000;
    this.wait = options.wait ?? realWait;
    this.warn = options.warn ?? ((message) => console.warn(message));
  }

  /**
   * BACKUP then RESTORE VERIFYONLY. `fingerprintTables` is not honoured: SQL Server offers no
   * read of the backup's own snapshot short of restoring it, so the result carries no
   * fingerprints and the activity fingerprints the source right after (engine contract).
   */
  async backup(source: DatabaseConnection, file: string, options: BackupOptions = {}): Promise<BackupResult> {
    const server = serverConnection(source);
    const backup = backupStatement(server.database, file, { compression: true });
    const verify = verifyBackupStatement(file);
    return this.inMaster(
      server,
      { operation: 'BACKUP DATABASE', database: server.database, file },
      async (session, polling) => {
        try {
          await runWithProgress(session, backup, 'BACKUP DATABASE', polling, options);
        } catch (error) {
          if (!errorNumbers(error).includes(COMPRESSION_UNSUPPORTED)) throw error;
          this.warn(
            `SQL Server ${server.host} cannot compress backups (edition); backing up ${server.database} uncompressed`,
          );
          await runWithProgress(
            session,
            backupStatement(server.database, file, { compression: false }),
            'BACKUP DATABASE',
            polling,
            options,
          );
        }
        await runWithProgress(session, verify, 'RESTORE VERIFYONLY', polling, options);
        return { file, bytes: await backupBytes(session, server.database, file) };
      },
    );
  }

  async verifyBackup(file: string, options: VerifyBackupOptions = {}): Promise<void> {
    const verify = verifyBackupStatement(file);
    if (!options.server) {
      throw new DatabaseError(
        'invalid-input',
        `verifying SQL Server backup ${JSON.stringify(file)} needs the server that reads it (options.server)`,
      );
    }
    const server = serverConnection(options.server);
    await this.inMaster(server, { operation: 'RESTORE VERIFYONLY', file }, (session, polling) =>
      runWithProgress(session, verify, 'RESTORE VERIFYONLY', polling, options),
    );
  }

  async restore(target: DatabaseConnection, file: string, options: RestoreOptions): Promise<void> {
    const server = serverConnection(target);
    assertIdentifier(server.database, 'database name');
    assertIdentifier(options.scratchName, 'scratch database name');
    checkServerPath('backup file', file);
    if (options.scratchName.toLowerCase() === server.database.toLowerCase()) {
      throw new DatabaseError(
        'invalid-input',
        `scratch database name must differ from the target ${JSON.stringify(server.database)}`,
      );
    }
    const subject = { operation: 'RESTORE DATABASE', database: server.database, file };
    await this.inMaster(server, subject, async (session, polling) => {
      await restoreViaScratch(session, { target: server, file, scratchName: options.scratchName }, polling, options);
      const users = await repairOrphanedUsers(session, server.database);
      if (users.unrepaired.length > 0) {
        this.warn(
          `database ${server.database} on ${server.host}: users without a login of their name: ${users.unrepaired.join(', ')}`,
        );
      }
    });
  }

  async fingerprints(
    database: DatabaseConnection,
    tables: string[],
    options: EngineCallOptions = {},
  ): Promise<TableFingerprint[]> {
    const server = serverConnection(database);
    const statements = tables.map((table) => tableFingerprintStatement(server.database, table));
    return this.inMaster(server, { operation: 'table fingerprints', database: server.database }, async (session) => {
      const result: TableFingerprint[] = [];
      for (const [i, statement] of statements.entries()) {
        const [row] = await session.query<FingerprintRow>(statement, { signal: options.signal });
        result.push(toFingerprint(tables[i], row));
        options.onProgress?.({ done: i + 1, total: tables.length, unit: 'tables', phase: 'fingerprints' });
      }
      return result;
    });
  }

  async databaseExists(database: DatabaseConnection): Promise<boolean> {
    const server = serverConnection(database);
    assertIdentifier(server.database, 'database name');
    return this.inMaster(server, { operation: 'database lookup', database: server.database }, (session) =>
      databaseState(session, server.database).then((state) => state !== undefined),
    );
  }

  async dropDatabase(database: DatabaseConnection): Promise<void> {
    const server = serverConnection(database);
    assertIdentifier(server.database, 'database name');
    await this.inMaster(server, { operation: 'DROP DATABASE', database: server.database }, (session) =>
      dropIfExists(session, server.database),
    );
  }

  async renameDatabase(database: DatabaseConnection, newName: string): Promise<void> {
    const server = serverConnection(database);
    const rename = renameDatabaseStatement(server.database, newName);
    await this.inMaster(server, { operation: 'rename database', database: server.database }, async (session) => {
      await session.query(singleUserStatement(server.database));
      try {
        await session.query(rename);
      } catch (error) {
        await session.query(multiUserStatement(server.database)).catch(() => undefined);
        throw error;
      }
      await session.query(multiUserStatement(newName));
    });
  }

  async databaseSizeBytes(database: DatabaseConnection): Promise<number> {
    const server = serverConnection(database);
    const statement = databaseSizeStatement(server.database);
    return this.inMaster(server, { operation: 'database size', database: server.database }, async (session) => {
      const [row] = await session.query<{ size_bytes: string | number | null }>(statement);
      return Number(row?.size_bytes ?? 0);
    });
  }

  async compact(database: DatabaseConnection, options: EngineCallOptions = {}): Promise<void> {
    const server = serverConnection(database);
    const shrink = shrinkDatabaseStatement(server.database);
    await this.inMaster(server, { operation: 'DBCC SHRINKDATABASE', database: server.database }, (session, polling) =>
      runWithProgress(session, shrink, 'DBCC SHRINKDATABASE', polling, options),
    );
  }

  knexConfig(database: DatabaseConnection): Knex.Config {
    const server = serverConnection(database);
    return {
      client: 'mssql',
      connection: {
        server: server.host,
        port: server.port,
        userName: server.user,
        password: server.password,
        database: server.database,
        options: { encrypt: server.encrypt ?? true, trustServerCertificate: server.trustServerCertificate ?? false },
      },
      pool: { min: 0, max: 10, ...TENANT_POOL_IDLE },
    };
  }

  /** Opens a `master` session, runs `work`, maps failures to engine error kinds, closes. */
  private async inMaster<T>(
    server: ServerConnection,
    subject: { operation: string; database?: string; file?: string },
    work: (session: SqlSession, polling: ProgressPolling) => Promise<T>,
  ): Promise<T> {
    const fullSubject = { ...subject, server: `${server.host}:${server.port}` };
    const polling: ProgressPolling = {
      openPoller: () => this.openSession(server, 'master'),
      intervalMs: this.pollIntervalMs,
      wait: this.wait,
    };
    let session: SqlSession | undefined;
    try {
      session = await this.openSession(server, 'master');
      return await work(session, polling);
    } catch (error) {
      throw classifyMssqlError(error, fullSubject);
    } finally {
      await session?.close().catch(() => undefined);
    }
  }
}

interface FingerprintRow {
  row_count: string | number;
  checksum_agg: number | null;
  checksum_sum: string | number | null;
}

/** 8 hex digits of the XOR-like aggregate, then 16 of the 64-bit sum (two's complement). */
export function toFingerprint(table: string, row: FingerprintRow | undefined): TableFingerprint {
  const agg = (row?.checksum_agg ?? 0) >>> 0;
  const sum = BigInt.asUintN(64, BigInt(row?.checksum_sum ?? 0));
  return {
    table,
    rows: Number(row?.row_count ?? 0),
    checksum: agg.toString(16).padStart(8, '0') + sum.toString(16).padStart(16, '0'),
  };
}

function serverConnection(connection: DatabaseConnection): ServerConnection {
  if (connection.engine !== 'mssql') {
    throw new DatabaseError('invalid-input', `the SQL Server engine was given a ${connection.engine} database`);
  }
  return connection;
}

/** Size of the file when the worker can see it (shared backup location), else msdb's record. */
async function backupBytes(session: SqlSession, database: string, file: string): Promise<number> {
  const local = await fs.stat(file).catch(() => undefined);
  if (local?.isFile()) return local.size;
  const [row] = await session.query<{ bytes: string | number | null }>(backupSizeStatement(database, file));
  return Number(row?.bytes ?? 0);
}
