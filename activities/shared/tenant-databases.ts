import type { Knex } from 'knex';
import type { InstanceRef } from '../../domain/landscapes';

/**
 * Opens tenant instances' application databases. Built once in the worker from the inventory;
 * secrets (`${ENV}` references) are resolved inside it and never leave the worker.
 */
export interface TenantDatabases {
  /** A pooled knex for the instance's database; the same object on every call. */
  knexFor(instance: InstanceRef): Promise<Knex>;
  /** Closes every pool (worker shutdown, tests). */
  destroyAll(): Promise<void>;
}
