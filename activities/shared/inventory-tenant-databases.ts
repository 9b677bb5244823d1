import { log } from '@temporalio/activity';
import knexFactory, { type Knex } from 'knex';
import { instanceKey, type InstanceRef } from '../../domain/landscapes';
import {
  instanceOf,
  tenantOf,
  type InstanceConfig,
  type Inventory,
  type TenantConfig,
} from '../../inventory/inventory';
import { resolveConnection } from '../../inventory/resolve-connection';
import type { DatabaseConnection, DatabaseEngine } from '../../engines/engine';
import { MssqlEngine } from '../../engines/mssql/mssql-engine';
import { createEngineRegistry, engineOf, type EngineRegistry } from '../../engines/engine-registry';
import type { SchemaDescriptor } from '../../domain/tenant-schema';
import type { TenantDatabases } from './tenant-databases';

/**
 * The worker's TenantDatabases: instances from the inventory, secrets resolved from the
 * worker's environment on first use, one pooled knex per instance.
 */
export class InventoryTenantDatabases implements TenantDatabases {
  private readonly pools = new Map<string, Knex>();
  readonly engines: EngineRegistry;

  constructor(
    readonly inventory: Inventory,
    options: { env?: NodeJS.ProcessEnv; engines?: Partial<EngineRegistry> } = {},
  ) {
    this.env = options.env ?? process.env;
    // SQL Server's warnings (e.g. unrepaired users) go to the activity's logger.
    this.engines = createEngineRegistry({ mssql: new MssqlEngine({ warn: warnInActivity }), ...options.engines });
  }

  private readonly env: NodeJS.ProcessEnv;

  tenant(tenant: string): TenantConfig {
    return tenantOf(this.inventory, tenant);
  }

  schemaFor(ref: InstanceRef): SchemaDescriptor {
    return this.tenant(ref.tenant).schema;
  }

  instance(ref: InstanceRef): InstanceConfig {
    return instanceOf(this.inventory, ref);
  }

  /** Holds the resolved password: use inside the worker only, never return it from an activity. */
  connectionFor(ref: InstanceRef): DatabaseConnection {
    return resolveConnection(this.inventory, ref, this.env);
  }

  engineFor(ref: InstanceRef): DatabaseEngine {
    return engineOf(this.engines, this.instance(ref).database.engine);
  }

  async knexFor(ref: InstanceRef): Promise<Knex> {
    const key = instanceKey(ref);
    let pool = this.pools.get(key);
    if (!pool) {
      pool = knexFactory(this.engineFor(ref).knexConfig(this.connectionFor(ref)));
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Closes the instance's pool: a restore swapped its database, old connections point at the old one. */
  async release(ref: InstanceRef): Promise<void> {
    const key = instanceKey(ref);
    const pool = this.pools.get(key);
    this.pools.delete(key);
    await pool?.destroy();
  }

  async destroyAll(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
}

function warnInActivity(message: string): void {
  try {
    log.warn(message);
  } catch {
    // Outside an activity (scripts, tests) there is no activity logger.
    console.warn(message);
  }
}
