import { Command, Option } from 'commander';
import type { LogLevel } from '@temporalio/worker';
import { WORKER_ENV, workerSettingsFromEnv } from '../../worker/settings';
import { emit, globalOptions, withExamples } from '../context';

interface WorkerOptions {
  controlDb?: string;
  logLevel: LogLevel;
}

export function registerWorkerCommand(program: Command): void {
  const command = program
    .command('worker')
    .description('run a Stagecoach worker (workflows and activities) until Ctrl-C')
    .addOption(
      new Option('--control-db <url>', 'SQLite file, postgres://… or mssql://… (default .stagecoach/control.db)').env(
        WORKER_ENV.controlDb,
      ),
    )
    .addOption(
      new Option('--log-level <level>', 'SDK log level')
        .choices(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'])
        .default('WARN'),
    )
    .action(async (options: WorkerOptions, command: Command) => {
      const global = globalOptions(command);
      const settings = {
        ...workerSettingsFromEnv(),
        temporalAddress: global.address,
        namespace: global.namespace,
        taskQueue: global.taskQueue,
        ...(options.controlDb ? { controlDbUrl: options.controlDb } : {}),
      };
      const { DefaultLogger, Runtime, runWorker } = loadWorkerModules();
      Runtime.install({ logger: new DefaultLogger(options.logLevel) });
      await runWorker(settings, {
        onPolling: () =>
          emit(
            command,
            { polling: true, taskQueue: settings.taskQueue, address: settings.temporalAddress },
            () => `Worker polling '${settings.taskQueue}' on ${settings.temporalAddress} (Ctrl-C stops it)`,
          ),
      });
    });
  withExamples(command, [
    'stagecoach worker',
    'stagecoach worker --address temporal.internal:7233 --control-db postgres://stagecoach@db/stagecoach',
    'STAGECOACH_TASK_QUEUE=stagecoach-eu stagecoach worker --log-level INFO',
  ]);
}

/**
 * Required here, not imported at the top: the native worker runtime would slow every other
 * command by a second. `require`, because the launcher registers tsx for CommonJS only.
 */
function loadWorkerModules() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const sdk = require('@temporalio/worker') as typeof import('@temporalio/worker');
  const { runWorker } = require('../../worker/run-worker') as typeof import('../../worker/run-worker');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { DefaultLogger: sdk.DefaultLogger, Runtime: sdk.Runtime, runWorker };
}
