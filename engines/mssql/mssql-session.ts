import sql from 'mssql';
import type { ServerConnection } from '../engine';
import type { TsqlStatement } from './mssql-statements';

/**
 * The small surface the SQL Server engine talks to: one connection, batches in, rows out.
 * One session is one server connection, so `@@SPID` stays the same for its whole life: the
 * progress poller relies on that. Tests substitute a recording implementation that captures
 * exactly what would be sent.
 */
export interface SqlSession {
  /** Runs one batch; resolves with the rows of its first result set. */
  query<Row = Record<string, unknown>>(statement: TsqlStatement, options?: { signal?: AbortSignal }): Promise<Row[]>;
  close(): Promise<void>;
}

/** Opens a session on `connection`'s server in `database` (administration runs in `master`). */
export type OpenSqlSession = (connection: ServerConnection, database: string) => Promise<SqlSession>;

/** mssql (tedious) configuration; no request timeout: BACKUP and RESTORE may run for hours. */
export function mssqlConfig(connection: ServerConnection, database: string): sql.config {
  return {
    server: connection.host,
    port: connection.port,
    user: connection.user,
    password: connection.password,
    database,
    requestTimeout: 0,
    connectionTimeout: 30_000,
    // One connection per session: a pool of one keeps the session id stable.
    pool: { min: 0, max: 1, idleTimeoutMillis: 30_000 },
    options: {
      encrypt: connection.encrypt ?? true,
      trustServerCertificate: connection.trustServerCertificate ?? false,
      appName: 'stagecoach',
    },
  };
}

export const openMssqlSession: OpenSqlSession = async (connection, database) => {
  const pool = new sql.ConnectionPool(mssqlConfig(connection, database));
  await pool.connect();
  return {
    async query<Row>(statement: TsqlStatement, options?: { signal?: AbortSignal }): Promise<Row[]> {
      const request = pool.request();
      for (const [name, value] of Object.entries(statement.params)) request.input(name, value);
      const cancel = () => request.cancel();
      options?.signal?.addEventListener('abort', cancel, { once: true });
      try {
        const result = await request.query<Row>(statement.text);
        return result.recordset ?? [];
      } finally {
        options?.signal?.removeEventListener('abort', cancel);
      }
    },
    close: () => pool.close(),
  };
};
