import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Knex } from 'knex';
import { inject } from 'vitest';
import type { ActivityDependencies } from '../../../activities';
import { InventoryTenantDatabases } from '../../../activities/shared/inventory-tenant-databases';
import type { InstanceLockDependencies } from '../../../activities/locks/instance-lock-activities';
import { loadInventory } from '../../../inventory/load-inventory';
import { openControlDatabase } from '../../../store/control-database';
import { startTestWorker, type TemporalTestContext } from '../temporal';
import type { TenantFleet } from './tenant-fleet';

// Kept apart from tenant-fleet.ts: bench/deploy.ts builds fleets outside vitest (no `inject`).

export interface FleetWorkerOptions {
  instanceLocks: Omit<InstanceLockDependencies, 'temporal'>;
  /** Without a mailer, notifications are audit rows. */
  notifications?: Pick<ActivityDependencies, 'mailer' | 'mailDomain'>;
  /** Product workflows plus test-only ones (test/workflows/fixtures/). */
  workflowBundleCode?: string;
}

export interface FleetWorker extends TemporalTestContext {
  /** `control.db` in the fleet's folder. */
  controlDbFile: string;
  controlDb: Knex;
  /** The Temporal client the instance lock activities use. */
  temporal: Client;
  /** Stops the worker, then closes the tenant databases, the Temporal connection and the control database. */
  stop(): Promise<void>;
}

/** The in-process test worker over a fleet's inventory, with a control database in the fleet's folder. */
export async function startFleetWorker(fleet: TenantFleet, options: FleetWorkerOptions): Promise<FleetWorker> {
  const controlDbFile = path.join(fleet.dir, 'control.db');
  const controlDb = await openControlDatabase(controlDbFile);
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const temporal = new Client({ connection });
  const tenantDatabases = new InventoryTenantDatabases(loadInventory(fleet.inventoryFile));
  const ctx = await startTestWorker(
    { controlDb, tenantDatabases, instanceLocks: { temporal, ...options.instanceLocks }, ...options.notifications },
    options.workflowBundleCode ? { workflowBundleCode: options.workflowBundleCode } : {},
  );
  return {
    ...ctx,
    controlDbFile,
    controlDb,
    temporal,
    stop: async () => {
      await ctx.stop();
      await tenantDatabases.destroyAll();
      await connection.close();
      await controlDb.destroy();
    },
  };
}
