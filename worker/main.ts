// `npm run worker`: one Stagecoach worker, configured by environment (worker/settings.ts).
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { openControlDatabase } from '../store/control-database';
import { createWorker } from './create-worker';
import { workerSettingsFromEnv } from './settings';

async function main(): Promise<void> {
  const settings = workerSettingsFromEnv();
  const controlDb = await openControlDatabase(settings.controlDbUrl);
  const connection = await NativeConnection.connect({ address: settings.temporalAddress });
  const worker = await createWorker({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    activities: createActivities({ controlDb }),
  });
  console.log(`Worker polling '${settings.taskQueue}' on ${settings.temporalAddress}`);
  try {
    await worker.run(); // Resolves after SIGINT/SIGTERM: the SDK shuts the worker down gracefully.
  } finally {
    await connection.close();
    await controlDb.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
