import type { InstanceRef } from '../domain/landscapes';
import type { DatabaseConnection } from '../engines/engine';
import { InventoryError, instanceOf, type Inventory } from './inventory';

const DEFAULT_PORTS = { postgres: 5432, mssql: 1433 } as const;
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * The instance's database connection with `${ENV}` references replaced by their values. Only
 * the worker calls this; the result holds secrets and must never leave the process.
 */
export function resolveConnection(
  inventory: Inventory,
  ref: InstanceRef,
  env: NodeJS.ProcessEnv = process.env,
): DatabaseConnection {
  const config = instanceOf(inventory, ref).database;
  if (config.engine === 'sqlite') return { engine: 'sqlite', file: config.file };
  const where = `tenants.${ref.tenant}.instances.${ref.landscape}.database`;
  const resolve = (value: string, key: string) => resolveReferences(value, `${where}.${key}`, env);
  return {
    engine: config.engine,
    host: resolve(config.host, 'host'),
    port: config.port ?? DEFAULT_PORTS[config.engine],
    user: resolve(config.user, 'user'),
    password: config.password === undefined ? undefined : resolve(config.password, 'password'),
    database: config.database,
    encrypt: config.encrypt,
    trustServerCertificate: config.trustServerCertificate,
    dataDirectory: config.dataDirectory,
  };
}

/** Replaces each `${NAME}`; a missing variable is an error naming the key and the variable, never a value. */
export function resolveReferences(value: string, keyPath: string, env: NodeJS.ProcessEnv): string {
  return value.replace(REFERENCE, (_match, name: string) => {
    const resolved = env[name];
    if (resolved === undefined) {
      throw new InventoryError(`${keyPath}: environment variable ${name} is not set in the worker`);
    }
    return resolved;
  });
}
