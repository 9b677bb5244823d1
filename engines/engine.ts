import path from 'node:path';
import type { Knex } from 'knex';

/**
 * The one engine interface of docs/database-operations.md. Three implementations: `sqlite-engine.ts`,
 * `postgres-engine.ts`, `mssql-engine.ts`. Activities (backup, restore, verify, fix-ups) only
 * talk to this interface; nothing engine-specific leaks into them or into workflows.
 */

export const ENGINE_KINDS = ['sqlite', 'postgres', 'mssql'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

/** A SQLite database is one file; its "name" is the file's base name without extension. */
export interface SqliteConnection {
  engine: 'sqlite';
  /** Absolute path of the database file. */
  file: string;
}

/** A database on a server. Resolved from the inventory inside the worker: holds the real password. */
export interface ServerConnection {
  engine: 'postgres' | 'mssql';
  host: string;
  port: number;
  user: string;
  /** Resolved from a `${ENV}` reference by the inventory; never logged, never in a payload. */
  password?: string;
  database: string;
  /** SQL Server TLS options; ignored by PostgreSQL. */
  encrypt?: boolean;
  trustServerCertificate?: boolean;
  /** SQL Server: where RESTORE … WITH MOVE puts data and log files (server-side path). */
  dataDirectory?: string;
}

export type DatabaseConnection = SqliteConnection | ServerConnection;

/**
 * How long an idle tenant connection stays open. A mass deployment touches thousands of
 * instances, often on a few shared database servers; with the pool's default (30 s) a window of
 * 50 tenants left about a thousand idle connections open, far past PostgreSQL's default limit
 * of 100. Reconnecting costs milliseconds against steps that take seconds.
 */
export const TENANT_POOL_IDLE = { idleTimeoutMillis: 2_000, reapIntervalMillis: 500 } as const;

/** Reported by long operations; activities turn it into heartbeats. */
export interface Progress {
  /** Units done so far, e.g. bytes written or percent complete. */
  done: number;
  total?: number;
  unit: 'bytes' | 'percent' | 'rows' | 'tables';
  /** Short phase name for the Web UI, e.g. `pg_restore`, `RESTORE DATABASE`. */
  phase?: string;
}
export type ProgressCallback = (progress: Progress) => void;

export interface EngineCallOptions {
  onProgress?: ProgressCallback;
  /** Aborted when the activity is cancelled; engines stop child processes / requests. */
  signal?: AbortSignal;
}

export interface RestoreOptions extends EngineCallOptions {
  /**
   * Name of the fresh database the backup is restored into before it is swapped in place of
   * the target. Deterministic (derived from the workflow id) so a retried restore finds and
   * replaces its own earlier, half-done scratch database.
   */
  scratchName: string;
}

export interface BackupOptions extends EngineCallOptions {
  /**
   * Tables to fingerprint as they are IN the backup (one consistent snapshot: SQLite reads the
   * backup file, PostgreSQL shares pg_dump's snapshot). Optional: an engine that cannot do it
   * omits `fingerprints` in its result and the activity fingerprints the source right after.
   */
  fingerprintTables?: string[];
}

export interface VerifyBackupOptions extends EngineCallOptions {
  /**
   * SQL Server: a connection to the server that reads `file` (its backup files are server-side
   * paths, read by the server, not the worker). Required there; ignored by the other engines.
   */
  server?: DatabaseConnection;
}

/** Row count and order-independent content checksum of one table. */
export interface TableFingerprint {
  table: string;
  rows: number;
  /** Hex digest; equal table contents on the same engine give equal checksums. */
  checksum: string;
}

export interface BackupResult {
  file: string;
  bytes: number;
  /** Present when `fingerprintTables` was given and the engine fingerprints its snapshot. */
  fingerprints?: TableFingerprint[];
}

export interface DatabaseEngine {
  readonly kind: EngineKind;
  /**
   * Writes a full, consistent backup of `source` to `file` (local or server-side path in a
   * backup location), replacing a file of that name: names are deterministic, so a retry
   * overwrites its own partial file. Never modifies the source.
   */
  backup(source: DatabaseConnection, file: string, options?: BackupOptions): Promise<BackupResult>;
  /** Engine-level integrity check of a backup file (RESTORE VERIFYONLY, pg_restore --list, integrity_check). */
  verifyBackup(file: string, options?: VerifyBackupOptions): Promise<void>;
  /**
   * Restores `file` into `target`: first into a fresh database named `scratchName` on the same
   * server, then swaps it in (drop the old target, rename scratch to target). The target is
   * untouched if anything fails before the swap. Callers refuse to restore over the source
   * (see `sameDatabase`); engines restore only into `target`.
   */
  restore(target: DatabaseConnection, file: string, options: RestoreOptions): Promise<void>;
  /** Fingerprints of `tables` (validated identifiers), in the order given. */
  fingerprints(
    database: DatabaseConnection,
    tables: string[],
    options?: EngineCallOptions,
  ): Promise<TableFingerprint[]>;
  databaseExists(database: DatabaseConnection): Promise<boolean>;
  /** Drops the database if it exists (idempotent). */
  dropDatabase(database: DatabaseConnection): Promise<void>;
  /** Renames `database` to `newName` on the same server (SQLite: sibling file). */
  renameDatabase(database: DatabaseConnection, newName: string): Promise<void>;
  /** Allocated size of the database in bytes (data and indexes; SQL Server: data files). */
  databaseSizeBytes(database: DatabaseConnection): Promise<number>;
  /** Gives space freed by purged rows back (VACUUM / DBCC SHRINKDATABASE), after a shrink. */
  compact(database: DatabaseConnection, options?: EngineCallOptions): Promise<void>;
  /** knex configuration for the database (pooled access for fix-ups, refresh and checks). */
  knexConfig(database: DatabaseConnection): Knex.Config;
}

/** Failure kinds; only `transient` is worth retrying (docs/database-operations.md "Non-retryable errors"). */
export type DatabaseErrorKind =
  | 'auth'
  | 'permission'
  | 'missing-file'
  | 'missing-database'
  | 'checksum'
  | 'invalid-identifier'
  | 'invalid-input'
  | 'transient';

/**
 * What engines throw for failures they recognize. Activities turn non-retryable kinds into
 * non-retryable Temporal failures of type `Database<Kind>` (e.g. `DatabaseChecksum`).
 * Messages name the database, file or table; never a password.
 */
export class DatabaseError extends Error {
  constructor(
    readonly kind: DatabaseErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DatabaseError';
  }

  get retryable(): boolean {
    return this.kind === 'transient';
  }
}

/** The database's name: the server database, or a SQLite file's base name without extension. */
export function databaseName(database: DatabaseConnection): string {
  if (database.engine === 'sqlite') return path.basename(database.file, path.extname(database.file));
  return database.database;
}

/** The same server, another database (SQLite: a sibling file with the same extension). */
export function withDatabaseName<T extends DatabaseConnection>(database: T, name: string): T {
  if (database.engine === 'sqlite') {
    const file = path.join(path.dirname(database.file), `${name}${path.extname(database.file)}`);
    return { ...database, file };
  }
  return { ...database, database: name };
}

/** For messages and logs: engine, host and database; never credentials. */
export function describeDatabase(database: DatabaseConnection): string {
  if (database.engine === 'sqlite') return `sqlite:${database.file}`;
  return `${database.engine}://${database.host}:${database.port}/${database.database}`;
}

/** True when both point at the same database: a restore must never write over its source. */
export function sameDatabase(a: DatabaseConnection, b: DatabaseConnection): boolean {
  if (a.engine === 'sqlite' || b.engine === 'sqlite') {
    return (
      a.engine === b.engine && path.resolve((a as SqliteConnection).file) === path.resolve((b as SqliteConnection).file)
    );
  }
  return (
    a.engine === b.engine &&
    a.host.toLowerCase() === b.host.toLowerCase() &&
    a.port === b.port &&
    a.database.toLowerCase() === b.database.toLowerCase()
  );
}
