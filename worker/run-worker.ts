import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { openControlDatabase } from '../store/control-database';
import { createWorker } from './create-worker';
import type { WorkerSettings } from './settings';
import { openTenantDatabases } from './tenant-database-wiring';

export interface RunWorkerHooks {
  /** Called once the worker polls its task queue (the CLI and tests wait for this). */
  onPolling?(settings: WorkerSettings): void;
}

/**
 * One Stagecoach worker until SIGINT/SIGTERM, on which the SDK drains it gracefully. The one
 * code path behind `npm run worker` and `stagecoach worker`.
 */
export async function runWorker(settings: WorkerSettings, hooks: RunWorkerHooks = {}): Promise<void> {
  const tenantDatabases = openTenantDatabases(settings);
  const controlDb = await openControlDatabase(settings.controlDbUrl);
  let connection: NativeConnection | undefined;
  try {
    connection = await NativeConnection.connect({ address: settings.temporalAddress });
    const worker = await createWorker({
      connection,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      activities: createActivities({ controlDb, ...tenantDatabases.deps }),
    });
    const running = worker.run();
    hooks.onPolling?.(settings);
    await running;
  } finally {
    await connection?.close();
    await controlDb.destroy();
    await tenantDatabases.close();
  }
}
