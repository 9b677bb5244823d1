import type { ActivityDependencies } from '../activities';
import { InventoryTenantDatabases } from '../activities/shared/inventory-tenant-databases';
import { loadInventory } from '../inventory/load-inventory';
import type { WorkerSettings } from './settings';

/**
 * The database side of the worker's dependencies: the inventory (validated at start, so a bad
 * file stops the worker with the key that is wrong) and pools to tenant databases. Secrets are
 * resolved from this process's environment when an instance is first used.
 */
export function openTenantDatabases(settings: WorkerSettings): {
  deps: Pick<ActivityDependencies, 'tenantDatabases' | 'copyBandwidthLimit'>;
  close(): Promise<void>;
} {
  const tenantDatabases = settings.inventoryPath
    ? new InventoryTenantDatabases(loadInventory(settings.inventoryPath))
    : undefined;
  return {
    deps: { tenantDatabases, copyBandwidthLimit: settings.copyBandwidthLimit },
    close: async () => tenantDatabases?.destroyAll(),
  };
}
