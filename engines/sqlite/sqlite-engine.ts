import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Knex } from 'knex';
import {
  DatabaseError,
  withDatabaseName,
  type BackupOptions,
  type BackupResult,
  type DatabaseConnection,
  type DatabaseEngine,
  type EngineCallOptions,
  type RestoreOptions,
  type SqliteConnection,
  type TableFingerprint,
  TENANT_POOL_IDLE,
} from '../engine';
import { assertIdentifier, quoteIdentifier } from '../identifiers';
import { RowChecksum } from '../row-checksum';

/** SQLite (docs/database-operations.md): online backup API, integrity_check, restore by file swap. */
export class SqliteEngine implements DatabaseEngine {
  readonly kind = 'sqlite' as const;

  async backup(source: DatabaseConnection, file: string, options: BackupOptions = {}): Promise<BackupResult> {
    const db = openExisting(asSqlite(source).file, 'source database');
    const partial = `${file}.partial`;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.rmSync(partial, { force: true });
      await db.backup(partial, {
        progress: ({ totalPages, remainingPages }) => {
          options.onProgress?.({
            done: totalPages - remainingPages,
            total: totalPages,
            unit: 'percent',
            phase: 'sqlite backup',
          });
          return 4096;
        },
      });
    } finally {
      db.close();
    }
    fs.renameSync(partial, file);
    const fingerprints = options.fingerprintTables
      ? await this.fingerprints({ engine: 'sqlite', file }, options.fingerprintTables, options)
      : undefined;
    return { file, bytes: fs.statSync(file).size, fingerprints };
  }

  async verifyBackup(file: string): Promise<void> {
    checkIntegrity(file, 'backup file');
  }

  async restore(target: DatabaseConnection, file: string, options: RestoreOptions): Promise<void> {
    const targetFile = asSqlite(target).file;
    const scratch = withDatabaseName(asSqlite(target), options.scratchName).file;
    if (path.resolve(scratch) === path.resolve(targetFile)) {
      throw new DatabaseError('invalid-input', `scratch database ${scratch} must differ from the target`);
    }
    if (!fs.existsSync(file)) throw new DatabaseError('missing-file', `backup file ${file} does not exist`);
    fs.mkdirSync(path.dirname(targetFile), { recursive: true });
    removeDatabaseFiles(scratch);
    options.onProgress?.({ done: 0, unit: 'percent', phase: 'copy into scratch database' });
    fs.copyFileSync(file, scratch);
    checkIntegrity(scratch, `restored copy of ${file}`);
    // The swap: rename is atomic, so readers see the old database or the new one, never half.
    removeDatabaseFiles(targetFile, { keepMain: true });
    fs.renameSync(scratch, targetFile);
    options.onProgress?.({ done: 100, unit: 'percent', phase: 'swapped in' });
  }

  async fingerprints(
    database: DatabaseConnection,
    tables: string[],
    options: EngineCallOptions = {},
  ): Promise<TableFingerprint[]> {
    const file = asSqlite(database).file;
    tables.forEach((table) => assertIdentifier(table, 'table name'));
    const db = openExisting(file, 'database');
    try {
      return tables.map((table, index) => {
        const quoted = quoteIdentifier('sqlite', table, 'table name');
        const exists = db.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(table);
        if (!exists) throw new DatabaseError('invalid-input', `table ${table} does not exist in ${file}`);
        const checksum = new RowChecksum();
        for (const row of db.prepare(`select * from ${quoted}`).raw().iterate() as Iterable<unknown[]>)
          checksum.add(row);
        options.onProgress?.({ done: index + 1, total: tables.length, unit: 'tables', phase: `fingerprint ${table}` });
        return { table, rows: checksum.rows, checksum: checksum.hex() };
      });
    } finally {
      db.close();
    }
  }

  async databaseExists(database: DatabaseConnection): Promise<boolean> {
    return fs.existsSync(asSqlite(database).file);
  }

  async dropDatabase(database: DatabaseConnection): Promise<void> {
    removeDatabaseFiles(asSqlite(database).file);
  }

  async renameDatabase(database: DatabaseConnection, newName: string): Promise<void> {
    quoteIdentifier('sqlite', newName, 'database name');
    const from = asSqlite(database).file;
    if (!fs.existsSync(from)) throw new DatabaseError('missing-database', `database ${from} does not exist`);
    fs.renameSync(from, withDatabaseName(asSqlite(database), newName).file);
  }

  async databaseSizeBytes(database: DatabaseConnection): Promise<number> {
    const file = asSqlite(database).file;
    const size = (name: string) => (fs.existsSync(name) ? fs.statSync(name).size : 0);
    if (!fs.existsSync(file)) throw new DatabaseError('missing-database', `database ${file} does not exist`);
    return size(file) + size(`${file}-wal`);
  }

  async compact(database: DatabaseConnection): Promise<void> {
    const db = openExisting(asSqlite(database).file, 'database', false);
    try {
      db.exec('VACUUM');
    } finally {
      db.close();
    }
  }

  knexConfig(database: DatabaseConnection): Knex.Config {
    return {
      client: 'better-sqlite3',
      connection: { filename: asSqlite(database).file },
      useNullAsDefault: true,
      pool: {
        min: 0,
        max: 1,
        ...TENANT_POOL_IDLE,
        afterCreate: (conn: Database.Database, done: (err: Error | null, conn: unknown) => void) => {
          conn.pragma('busy_timeout = 10000');
          done(null, conn);
        },
      },
    };
  }
}

function asSqlite(database: DatabaseConnection): SqliteConnection {
  if (database.engine !== 'sqlite')
    throw new DatabaseError('invalid-input', `the SQLite engine cannot open a ${database.engine} database`);
  return database;
}

function openExisting(file: string, what: string, readonly = true): Database.Database {
  if (!fs.existsSync(file)) throw new DatabaseError('missing-database', `${what} ${file} does not exist`);
  try {
    return new Database(file, { readonly, fileMustExist: true, timeout: 10_000 });
  } catch (error) {
    throw classify(error, `${what} ${file}`);
  }
}

/** A damaged or foreign file fails here, before it could replace anything. */
function checkIntegrity(file: string, what: string): void {
  if (!fs.existsSync(file)) throw new DatabaseError('missing-file', `${what} ${file} does not exist`);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new DatabaseError('checksum', `${what} ${file} is damaged: ${String(result)}`);
  } catch (error) {
    throw classify(error, `${what} ${file}`);
  } finally {
    db?.close();
  }
}

function classify(error: unknown, subject: string): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message;
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')
    return new DatabaseError('checksum', `${subject} is not a valid SQLite database: ${message}`, { cause: error });
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code === 'SQLITE_READONLY') {
    return new DatabaseError('permission', `${subject} cannot be opened: ${message}`, { cause: error });
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
    return new DatabaseError('transient', `${subject} is busy: ${message}`, { cause: error });
  return new DatabaseError('transient', `${subject}: ${message}`, { cause: error });
}

/** The database file and its journals; `keepMain` leaves the main file for an atomic rename over it. */
function removeDatabaseFiles(file: string, options: { keepMain?: boolean } = {}): void {
  for (const suffix of ['-wal', '-shm', '-journal']) fs.rmSync(`${file}${suffix}`, { force: true });
  if (!options.keepMain) fs.rmSync(file, { force: true });
}
