import fs from 'node:fs';
import path from 'node:path';
import { Client, type ClientConfig } from 'pg';
import type { Knex } from 'knex';
import {
  DatabaseError,
  describeDatabase,
  withDatabaseName,
  type BackupOptions,
  type BackupResult,
  type DatabaseConnection,
  type DatabaseEngine,
  type EngineCallOptions,
  type RestoreOptions,
  type ServerConnection,
  type TableFingerprint,
  TENANT_POOL_IDLE,
} from '../engine';
import { assertIdentifier, quoteIdentifier } from '../identifiers';
import { libpqEnv, requireProgram, runPostgresProgram } from './postgres-cli';
import { classifyPostgresError } from './postgres-errors';

/** Where CREATE/DROP/ALTER DATABASE run: every PostgreSQL server has it. */
const ADMIN_DATABASE = 'postgres';

/**
 * PostgreSQL (docs/database-operations.md): `pg_dump -Fc` sharing an exported snapshot with the fingerprints,
 * `pg_restore` into a fresh database, then a rename swap.
 */
export class PostgresEngine implements DatabaseEngine {
  readonly kind = 'postgres' as const;

  constructor(private readonly settings: { restoreJobs?: number; dumpCompression?: number } = {}) {}

  async backup(source: DatabaseConnection, file: string, options: BackupOptions = {}): Promise<BackupResult> {
    const db = asPostgres(source);
    requireProgram('pg_dump');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.partial`;
    const client = await connect(db);
    try {
      // One snapshot for the dump and the fingerprints: the catalog then describes exactly the
      // data in the file, even while the application keeps writing to the source.
      await client.query('begin isolation level repeatable read read only');
      const { rows } = await client.query<{ snapshot: string }>('select pg_export_snapshot() as snapshot');
      const dump = runPostgresProgram(
        'pg_dump',
        [
          '-Fc',
          `-Z${this.settings.dumpCompression ?? 1}`,
          '--no-owner',
          '--no-privileges',
          `--snapshot=${rows[0].snapshot}`,
          '-f',
          partial,
        ],
        { ...options, env: libpqEnv(db), subject: describeDatabase(db), watchFile: partial },
      );
      const fingerprints = options.fingerprintTables
        ? await fingerprintWith(client, options.fingerprintTables, describeDatabase(db), options).catch(
            async (error) => {
              await dump.catch(() => undefined);
              throw error;
            },
          )
        : undefined;
      await dump;
      await client.query('commit');
      fs.renameSync(partial, file);
      return { file, bytes: fs.statSync(file).size, fingerprints };
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async verifyBackup(file: string, options: EngineCallOptions = {}): Promise<void> {
    if (!fs.existsSync(file)) throw new DatabaseError('missing-file', `backup file ${file} does not exist`);
    // Reads the whole table of contents; data blocks are covered by the file's SHA-256.
    await runPostgresProgram('pg_restore', ['--list', '-f', '/dev/null', file], {
      ...options,
      env: process.env,
      subject: `backup file ${file}`,
    });
  }

  async restore(target: DatabaseConnection, file: string, options: RestoreOptions): Promise<void> {
    const db = asPostgres(target);
    const scratch = withDatabaseName(db, assertIdentifier(options.scratchName, 'scratch database name'));
    if (scratch.database.toLowerCase() === db.database.toLowerCase()) {
      throw new DatabaseError('invalid-input', `scratch database ${scratch.database} must differ from the target`);
    }
    if (!fs.existsSync(file)) throw new DatabaseError('missing-file', `backup file ${file} does not exist`);
    await this.dropDatabase(scratch);
    await admin(db, (client) => client.query(`create database ${quoteIdentifier('postgres', scratch.database)}`));
    const jobs = this.settings.restoreJobs ?? 2;
    await runPostgresProgram(
      'pg_restore',
      ['--no-owner', '--no-privileges', '--exit-on-error', `--jobs=${jobs}`, '-d', scratch.database, file],
      {
        ...options,
        env: libpqEnv(db, scratch.database),
        subject: `restore of ${file} into ${describeDatabase(scratch)}`,
        totalBytes: fs.statSync(file).size,
      },
    );
    await this.swap(db, scratch);
  }

  /** old target → `<scratch>_old`, scratch → target, drop old: a retry after a crash finds a consistent state. */
  private async swap(target: ServerConnection, scratch: ServerConnection): Promise<void> {
    const old = withDatabaseName(target, `${scratch.database.slice(0, 58)}_old`);
    await this.dropDatabase(old);
    if (await this.databaseExists(target)) await this.renameDatabase(target, old.database);
    await this.renameDatabase(scratch, target.database);
    await this.dropDatabase(old);
  }

  async fingerprints(
    database: DatabaseConnection,
    tables: string[],
    options: EngineCallOptions = {},
  ): Promise<TableFingerprint[]> {
    const db = asPostgres(database);
    tables.forEach((table) => assertIdentifier(table, 'table name'));
    const client = await connect(db);
    try {
      await client.query('begin isolation level repeatable read read only');
      const result = await fingerprintWith(client, tables, describeDatabase(db), options);
      await client.query('commit');
      return result;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async databaseExists(database: DatabaseConnection): Promise<boolean> {
    const db = asPostgres(database);
    const { rows } = await admin(db, (client) =>
      client.query('select 1 from pg_database where datname = $1', [db.database]),
    );
    return rows.length > 0;
  }

  async dropDatabase(database: DatabaseConnection): Promise<void> {
    const db = asPostgres(database);
    await admin(db, (client) =>
      client.query(`drop database if exists ${quoteIdentifier('postgres', db.database, 'database name')} with (force)`),
    );
  }

  async renameDatabase(database: DatabaseConnection, newName: string): Promise<void> {
    const db = asPostgres(database);
    const from = quoteIdentifier('postgres', db.database, 'database name');
    const to = quoteIdentifier('postgres', newName, 'database name');
    await admin(db, async (client) => {
      // RENAME needs the database idle: end sessions left by pools (the worker's included).
      await client.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [db.database],
      );
      return client.query(`alter database ${from} rename to ${to}`);
    });
  }

  async databaseSizeBytes(database: DatabaseConnection): Promise<number> {
    const db = asPostgres(database);
    const { rows } = await admin(db, (client) =>
      client.query<{ size: string }>('select pg_database_size($1)::text as size', [db.database]),
    );
    if (rows.length === 0)
      throw new DatabaseError('missing-database', `database ${describeDatabase(db)} does not exist`);
    return Number(rows[0].size);
  }

  async compact(database: DatabaseConnection): Promise<void> {
    const db = asPostgres(database);
    const client = await connect(db);
    try {
      await client.query('vacuum full');
    } catch (error) {
      throw classifyPostgresError(error, `vacuum of ${describeDatabase(db)}`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  knexConfig(database: DatabaseConnection): Knex.Config {
    const db = asPostgres(database);
    const connection: Knex.PgConnectionConfig = {
      host: db.host,
      port: db.port,
      user: db.user,
      password: db.password,
      database: db.database,
    };
    return { client: 'pg', connection, pool: { min: 0, max: 4, ...TENANT_POOL_IDLE } };
  }
}

/**
 * Order-independent: the sum (exact numeric, no overflow) of each row's 64-bit hash. PostgreSQL
 * 14+ hashes the record column by column (`hash_record_extended`, no text conversion: about 3×
 * cheaper on wide rows); tables with a column type that has no hash function, and older servers,
 * hash the row's text form. The prefix names the method so two methods never compare equal.
 * These catch a wrong, partial or damaged restore; the backup file's SHA-256 guards the bytes.
 */
async function fingerprintWith(
  client: Client,
  tables: string[],
  subject: string,
  options: EngineCallOptions,
): Promise<TableFingerprint[]> {
  const { rows: version } = await client.query<{ v: number }>("select current_setting('server_version_num')::int as v");
  const recordHash = version[0].v >= 140000;
  const result: TableFingerprint[] = [];
  for (const [index, table] of tables.entries()) {
    const quoted = quoteIdentifier('postgres', table, 'table name');
    const query = (hash: string) =>
      `select count(*)::text as rows, coalesce(sum(${hash}), 0)::text as checksum from ${quoted} t`;
    try {
      let found: { rows: string; checksum: string } | undefined;
      if (recordHash) {
        await client.query('savepoint fingerprint');
        try {
          const row = (await client.query<{ rows: string; checksum: string }>(query('hash_record_extended(t, 0)')))
            .rows[0];
          found = { rows: row.rows, checksum: `r:${row.checksum}` };
        } catch (error) {
          if ((error as { code?: string }).code !== '42883') throw error; // no hash function for a column type
          await client.query('rollback to savepoint fingerprint');
        }
      }
      if (!found) {
        const row = (await client.query<{ rows: string; checksum: string }>(query('hashtextextended(t::text, 0)')))
          .rows[0];
        found = { rows: row.rows, checksum: `t:${row.checksum}` };
      }
      result.push({ table, rows: Number(found.rows), checksum: found.checksum });
    } catch (error) {
      throw classifyPostgresError(error, `fingerprint of table ${table} in ${subject}`);
    }
    options.onProgress?.({ done: index + 1, total: tables.length, unit: 'tables', phase: `fingerprint ${table}` });
  }
  return result;
}

function asPostgres(database: DatabaseConnection): ServerConnection {
  if (database.engine !== 'postgres')
    throw new DatabaseError('invalid-input', `the PostgreSQL engine cannot open a ${database.engine} database`);
  assertIdentifier(database.database, 'database name');
  return database;
}

function clientConfig(db: ServerConnection, database = db.database): ClientConfig {
  return {
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database,
    connectionTimeoutMillis: 15_000,
  };
}

async function connect(db: ServerConnection, database = db.database): Promise<Client> {
  const client = new Client(clientConfig(db, database));
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw classifyPostgresError(error, `connect to ${describeDatabase(withDatabaseName(db, database))}`);
  }
  return client;
}

async function admin<T>(db: ServerConnection, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(db, ADMIN_DATABASE);
  try {
    return await work(client);
  } catch (error) {
    throw classifyPostgresError(error, `on server of ${describeDatabase(db)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
