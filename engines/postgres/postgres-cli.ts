import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { DatabaseError, type EngineCallOptions, type ServerConnection } from '../engine';
import { classifyCliFailure } from './postgres-errors';

const checkedPrograms = new Set<string>();

/** pg_dump and pg_restore must be on the worker's PATH; say so plainly when they are not. */
export function requireProgram(program: 'pg_dump' | 'pg_restore'): void {
  if (checkedPrograms.has(program)) return;
  const probe = spawnSync(program, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new DatabaseError(
      'invalid-input',
      `${program} is not on the worker's PATH (install the PostgreSQL client tools): ${probe.error?.message ?? probe.stderr}`,
    );
  }
  checkedPrograms.add(program);
}

/** Connection settings as libpq environment: the password never appears in argv (ps shows argv). */
export function libpqEnv(connection: ServerConnection, database = connection.database): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGHOST: connection.host,
    PGPORT: String(connection.port),
    PGUSER: connection.user,
    PGDATABASE: database,
    PGCONNECT_TIMEOUT: '15',
  };
  if (connection.password !== undefined) env.PGPASSWORD = connection.password;
  else delete env.PGPASSWORD;
  return env;
}

export interface RunOptions extends EngineCallOptions {
  env: NodeJS.ProcessEnv;
  /** For messages: the database or file the program works on. */
  subject: string;
  /** A file whose growth is reported as progress (pg_dump's output). */
  watchFile?: string;
  /** Reported as the total when watching (pg_restore reads this many bytes). */
  totalBytes?: number;
}

/** Runs a PostgreSQL client program; a failure becomes a classified DatabaseError. */
export function runPostgresProgram(
  program: 'pg_dump' | 'pg_restore',
  args: string[],
  options: RunOptions,
): Promise<void> {
  requireProgram(program);
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      env: options.env,
      stdio: ['ignore', 'ignore', 'pipe'],
      signal: options.signal,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 64_000) stderr += chunk.toString();
    });
    const ticker = setInterval(() => reportProgress(program, options), 1000);
    child.once('error', (error) => {
      clearInterval(ticker);
      reject(
        error.name === 'AbortError'
          ? error
          : new DatabaseError('transient', `${program} could not start: ${error.message}`),
      );
    });
    child.once('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(classifyCliFailure(program, stderr, options.subject));
    });
  });
}

function reportProgress(program: string, options: RunOptions): void {
  if (!options.onProgress) return;
  const done = options.watchFile && fs.existsSync(options.watchFile) ? fs.statSync(options.watchFile).size : 0;
  options.onProgress({ done, total: options.totalBytes, unit: 'bytes', phase: program });
}
