import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_NAMESPACE, TASK_QUEUE } from '../contracts/temporal-names';

/** Environment variables the worker reads; docker-compose.yml sets the same names. */
export const WORKER_ENV = {
  temporalAddress: 'TEMPORAL_ADDRESS',
  temporalNamespace: 'TEMPORAL_NAMESPACE',
  taskQueue: 'STAGECOACH_TASK_QUEUE',
  controlDb: 'STAGECOACH_CONTROL_DB',
  /** Path of stagecoach.yaml; database activities fail (non-retryably) without one. */
  inventory: 'STAGECOACH_INVENTORY',
  /** Bytes per second for backup copies between locations (e.g. `50MB`); unlimited when unset. */
  copyBandwidth: 'STAGECOACH_COPY_BANDWIDTH',
  /** `smtp://host:port` for gate notifications; without it they go to the audit table. */
  smtpUrl: 'STAGECOACH_SMTP_URL',
  mailFrom: 'STAGECOACH_MAIL_FROM',
  /** Appended to user names that are not addresses (`alice` → `alice@<domain>`). */
  mailDomain: 'STAGECOACH_MAIL_DOMAIN',
  /** Seconds between an instance lock's checks that its holder still runs (default 60). */
  lockHolderCheckSeconds: 'STAGECOACH_LOCK_HOLDER_CHECK_SECONDS',
  /** Key file of the payload codec (docs/security.md "Encrypted payloads"); payloads travel in clear without it. */
  payloadKeys: 'STAGECOACH_PAYLOAD_KEYS',
  /** The approval service's public URL; gate mails link to the gate's page there. */
  approvalUrl: 'STAGECOACH_APPROVAL_URL',
} as const;

export interface WorkerSettings {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  /** SQLite file path, `postgres://…` or `mssql://…`. */
  controlDbUrl: string;
  /** Absolute path of the inventory: STAGECOACH_INVENTORY, else ./stagecoach.yaml when there is one. */
  inventoryPath?: string;
  copyBandwidthLimit?: number;
  smtpUrl?: string;
  mailFrom?: string;
  mailDomain?: string;
  lockHolderCheckSeconds?: number;
  /** Path of the payload key file; absent: no encryption. */
  payloadKeysFile?: string;
  approvalUrl?: string;
}

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';

export function workerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  return {
    temporalAddress: env[WORKER_ENV.temporalAddress] || DEFAULT_TEMPORAL_ADDRESS,
    namespace: env[WORKER_ENV.temporalNamespace] || DEFAULT_NAMESPACE,
    taskQueue: env[WORKER_ENV.taskQueue] || TASK_QUEUE,
    controlDbUrl: env[WORKER_ENV.controlDb] || path.resolve('.stagecoach', 'control.db'),
    inventoryPath: inventoryPathFrom(env),
    payloadKeysFile: env[WORKER_ENV.payloadKeys] || undefined,
    approvalUrl: env[WORKER_ENV.approvalUrl] || undefined,
    copyBandwidthLimit: env[WORKER_ENV.copyBandwidth] ? parseBandwidth(env[WORKER_ENV.copyBandwidth]!) : undefined,
    smtpUrl: env[WORKER_ENV.smtpUrl] || undefined,
    mailFrom: env[WORKER_ENV.mailFrom] || undefined,
    mailDomain: env[WORKER_ENV.mailDomain] || undefined,
    lockHolderCheckSeconds: env[WORKER_ENV.lockHolderCheckSeconds]
      ? positiveSeconds(env[WORKER_ENV.lockHolderCheckSeconds]!)
      : undefined,
  };
}

/** `50MB`, `1.5GB` or plain bytes, per second. */
function parseBandwidth(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?\s*$/i.exec(value);
  if (!match) throw new Error(`${WORKER_ENV.copyBandwidth}=${value}: expected bytes per second such as 50MB`);
  const unit = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[(match[2] ?? 'B').toUpperCase() as 'B'];
  return Math.round(Number(match[1]) * unit);
}

function positiveSeconds(value: string): number {
  const seconds = Number(value);
  if (!(seconds > 0))
    throw new Error(`${WORKER_ENV.lockHolderCheckSeconds}=${value}: expected a number of seconds > 0`);
  return seconds;
}

/** Where the inventory is, as the Temporal CLI finds its config: the variable, else the conventional file here. */
function inventoryPathFrom(env: NodeJS.ProcessEnv): string | undefined {
  if (env[WORKER_ENV.inventory]) return path.resolve(env[WORKER_ENV.inventory]!);
  const local = path.resolve('stagecoach.yaml');
  return fs.existsSync(local) ? local : undefined;
}
