import path from 'node:path';
import fs from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import { migrations } from './migrations';

/**
 * The control database holds what must outlive a workflow (docs/domain.md "Control database"): audit events, the
 * backup catalog, the patch log, deployment and promotion history.
 * `url` is a SQLite file path or `sqlite:` URL (the default), `postgres://…` or `mssql://…`.
 */
export async function openControlDatabase(url: string): Promise<Knex> {
  const knex = knexFactory(knexConfigFor(url));
  await knex.migrate.latest({ migrationSource: new CodeMigrationSource() });
  return knex;
}

export function knexConfigFor(url: string): Knex.Config {
  if (/^postgres(ql)?:\/\//.test(url)) {
    return { client: 'pg', connection: url, pool: { min: 0, max: 10 } };
  }
  if (/^(mssql|sqlserver):\/\//.test(url)) {
    return { client: 'mssql', connection: mssqlConnection(url), pool: { min: 0, max: 10 } };
  }
  const filename = url.replace(/^sqlite:(\/\/)?/, '');
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  return {
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      // WAL lets the CLI read while a worker writes; busy_timeout rides out short write locks.
      afterCreate: (conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) => {
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('foreign_keys = ON');
        done(null, conn);
      },
    },
  };
}

function mssqlConnection(url: string): Knex.MsSqlConnectionConfig {
  const parsed = new URL(url.replace(/^sqlserver:/, 'mssql:'));
  return {
    server: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 1433,
    userName: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: parsed.pathname.replace(/^\//, '') || 'stagecoach',
    options: { encrypt: parsed.searchParams.get('encrypt') !== 'false', trustServerCertificate: true },
  };
}

/** Migrations are code, not files found at run time, so bundling and tsx behave the same. */
class CodeMigrationSource implements Knex.MigrationSource<string> {
  getMigrations(): Promise<string[]> {
    return Promise.resolve(Object.keys(migrations).sort());
  }
  getMigrationName(name: string): string {
    return name;
  }
  getMigration(name: string): Promise<Knex.Migration> {
    return Promise.resolve(migrations[name]);
  }
}
