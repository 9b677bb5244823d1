import path from 'node:path';
import { DEFAULT_NAMESPACE, TASK_QUEUE } from '../domain/temporal-names';

/** Environment variables the worker reads; docker-compose.yml sets the same names. */
export const WORKER_ENV = {
  temporalAddress: 'TEMPORAL_ADDRESS',
  temporalNamespace: 'TEMPORAL_NAMESPACE',
  taskQueue: 'STAGECOACH_TASK_QUEUE',
  controlDb: 'STAGECOACH_CONTROL_DB',
} as const;

export interface WorkerSettings {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  /** SQLite file path, `postgres://…` or `mssql://…`. */
  controlDbUrl: string;
}

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';

export function workerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  return {
    temporalAddress: env[WORKER_ENV.temporalAddress] || DEFAULT_TEMPORAL_ADDRESS,
    namespace: env[WORKER_ENV.temporalNamespace] || DEFAULT_NAMESPACE,
    taskQueue: env[WORKER_ENV.taskQueue] || TASK_QUEUE,
    controlDbUrl: env[WORKER_ENV.controlDb] || path.resolve('.stagecoach', 'control.db'),
  };
}
