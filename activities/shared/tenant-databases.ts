import type { Knex } from 'knex';
import type { InstanceRef } from '../../domain/landscapes';
import { BUILTIN_SCHEMAS, type SchemaDescriptor } from '../../domain/tenant-schema';

/**
 * Opens tenant instances' application databases. Built once in the worker from the inventory;
 * secrets (`${ENV}` references) are resolved inside it and never leave the worker.
 */
export interface TenantDatabases {
  /** A pooled knex for the instance's database; the same object on every call. */
  knexFor(instance: InstanceRef): Promise<Knex>;
  /**
   * The instance's tenant schema descriptor (which tables are the platform's); absent when the
   * databases have no inventory, and then the built-in layout applies (`schemaOf`).
   */
  schemaFor?(instance: InstanceRef): SchemaDescriptor;
  /** Closes every pool (worker shutdown, tests). */
  destroyAll(): Promise<void>;
}

/** The descriptor of the instance's tenant, or the built-in platform layout. */
export function schemaOf(databases: TenantDatabases, instance: InstanceRef): SchemaDescriptor {
  return databases.schemaFor?.(instance) ?? BUILTIN_SCHEMAS['sample-itsm'];
}
