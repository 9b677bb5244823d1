import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { NativeConnection, Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Knex } from 'knex';
import { createActivities, type ActivityDependencies } from '../../activities';
import { StagecoachClient } from '../../client';
import { openControlDatabase } from '../../store/control-database';
import { createWorker } from '../../worker/create-worker';
import { createScratchDatabase } from './postgres';

let runtimeInstalled = false;

/** Keeps SDK chatter out of test output; warnings and errors still show. */
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

export interface TemporalTestContext {
  address: string;
  taskQueue: string;
  client: StagecoachClient;
  worker: Worker;
  /** Resolves when the worker has stopped. */
  stop(): Promise<void>;
}

/**
 * A real worker (the production wiring of worker/create-worker.ts) on a task queue of its own,
 * so test files running in parallel never take each other's tasks.
 */
export async function startTestWorker(
  deps: ActivityDependencies & { controlDb: Knex },
  options: { workflowBundleCode?: string; taskQueue?: string } = {},
): Promise<TemporalTestContext> {
  installQuietRuntime();
  const address = inject('temporalAddress');
  // A test may continue on the queue of a worker it killed (test/workflows/release/).
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address });
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue,
    activities: createActivities(deps),
    // A test may bring its own bundle (product workflows plus test-only ones, see test/workflows/fixtures/).
    workflowBundleCode: options.workflowBundleCode ?? fs.readFileSync(inject('workflowBundlePath'), 'utf8'),
  });
  const running = worker.run();
  const client = await StagecoachClient.connect({ address, taskQueue });
  return {
    address,
    taskQueue,
    client,
    worker,
    stop: async () => {
      worker.shutdown();
      await running;
      await client.close();
      await connection.close();
    },
  };
}

export interface ControlDbTestContext extends TemporalTestContext {
  controlDb: Knex;
  /** Stops the worker, then closes the control database and removes it. */
  stop(): Promise<void>;
}

/**
 * `startTestWorker` with a control database of the test file's own: SQLite in a temporary folder
 * or a scratch PostgreSQL database, both named after `label`.
 */
export async function startTestWorkerWithControlDb(
  engine: 'sqlite' | 'postgres',
  label: string,
  deps: Omit<ActivityDependencies, 'controlDb'> = {},
  options: { workflowBundleCode?: string } = {},
): Promise<ControlDbTestContext> {
  const database = await scratchControlDatabase(engine, label);
  const controlDb = await openControlDatabase(database.url);
  const ctx = await startTestWorker({ controlDb, ...deps }, options);
  return {
    ...ctx,
    controlDb,
    stop: async () => {
      await ctx.stop();
      await controlDb.destroy();
      await database.remove();
    },
  };
}

async function scratchControlDatabase(
  engine: 'sqlite' | 'postgres',
  label: string,
): Promise<{ url: string; remove(): Promise<void> }> {
  if (engine === 'postgres') {
    const database = await createScratchDatabase(label);
    return { url: database.url, remove: database.drop };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `stagecoach-${label}-`));
  return { url: path.join(dir, 'control.db'), remove: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function uniqueId(prefix: string): string {
  return `${prefix}/${randomUUID()}`;
}
