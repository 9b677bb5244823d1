import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { PayloadCodec } from '@temporalio/common';
import type { Activities } from '../activities';

export const WORKFLOWS_PATH = path.resolve(__dirname, '..', 'workflows', 'index.ts');
/** Written by `npm run build:workflows`; loaded when present so production skips bundling. */
export const PREBUILT_BUNDLE_PATH = path.resolve(__dirname, '..', 'dist', 'workflow-bundle.js');

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** Prebuilt bundle code (tests build it once per run); otherwise the file or workflowsPath. */
  workflowBundleCode?: string;
  /** Encrypts what the worker sends and decrypts what it receives (docs/security.md "Encrypted payloads"). */
  payloadCodec?: PayloadCodec;
  overrides?: Partial<WorkerOptions>;
}

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    ...workflowSource(options.workflowBundleCode),
    ...(options.payloadCodec ? { dataConverter: { payloadCodecs: [options.payloadCodec] } } : {}),
    ...options.overrides,
  });
}

function workflowSource(code: string | undefined): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (code) return { workflowBundle: { code } };
  if (fs.existsSync(PREBUILT_BUNDLE_PATH)) return { workflowBundle: { codePath: PREBUILT_BUNDLE_PATH } };
  return { workflowsPath: WORKFLOWS_PATH };
}
