// `npm run worker`: one Stagecoach worker, configured by environment (worker/settings.ts).
import { runWorker } from './run-worker';
import { workerSettingsFromEnv } from './settings';

runWorker(workerSettingsFromEnv(), {
  onPolling: (settings) => console.log(`Worker polling '${settings.taskQueue}' on ${settings.temporalAddress}`),
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
