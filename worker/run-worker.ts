import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { ServerUnreachableError } from '../client/errors';
import { openControlDatabase } from '../store/control-database';
import { createWorker } from './create-worker';
import { payloadCodecFromFile } from '../client/payload-codec';
import type { WorkerSettings } from './settings';
import { openTenantDatabases } from './tenant-database-wiring';
import { openGateAndLockDependencies } from './gate-and-lock-wiring';

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
  let gatesAndLocks: Awaited<ReturnType<typeof openGateAndLockDependencies>> | undefined;
  try {
    connection = await NativeConnection.connect({ address: settings.temporalAddress }).catch(() => {
      throw new ServerUnreachableError(settings.temporalAddress);
    });
    const payloadCodec = settings.payloadKeysFile ? payloadCodecFromFile(settings.payloadKeysFile) : undefined;
    gatesAndLocks = await openGateAndLockDependencies(settings, payloadCodec);
    const worker = await createWorker({
      connection,
      payloadCodec,
      namespace: settings.namespace,
      taskQueue: settings.taskQueue,
      activities: createActivities({ controlDb, ...tenantDatabases.deps, ...gatesAndLocks.deps }),
    });
    const running = worker.run();
    hooks.onPolling?.(settings);
    await running;
  } finally {
    await connection?.close();
    await gatesAndLocks?.close();
    await controlDb.destroy();
    await tenantDatabases.close();
  }
}
