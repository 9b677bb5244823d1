import { DatabaseError, type DatabaseEngine, type EngineKind } from './engine';
import { MssqlEngine } from './mssql/mssql-engine';
import { PostgresEngine } from './postgres/postgres-engine';
import { SqliteEngine } from './sqlite/sqlite-engine';

export type EngineRegistry = Record<EngineKind, DatabaseEngine>;

/** One engine object per kind, built once in the worker. */
export function createEngineRegistry(overrides: Partial<EngineRegistry> = {}): EngineRegistry {
  return {
    sqlite: overrides.sqlite ?? new SqliteEngine(),
    postgres: overrides.postgres ?? new PostgresEngine(),
    mssql: overrides.mssql ?? new MssqlEngine(),
  };
}

export function engineOf(registry: EngineRegistry, kind: string): DatabaseEngine {
  const engine = (registry as Record<string, DatabaseEngine | undefined>)[kind];
  if (!engine)
    throw new DatabaseError(
      'invalid-input',
      `no database engine '${kind}' (known: ${Object.keys(registry).join(', ')})`,
    );
  return engine;
}
