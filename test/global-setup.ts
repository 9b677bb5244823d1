// One headless Temporal dev server and one workflow bundle for the whole test run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { freePort, startDevServer, type DevServer } from '../dev/dev-server';
import { WORKFLOWS_PATH } from '../worker/create-worker';
import { requirePostgres } from './support/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

let server: DevServer | undefined;
let scratch: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-test-'));
  await requirePostgres();
  const [started, bundle] = await Promise.all([
    startDevServer({ port: await freePort(), headless: true, logFile: path.join(scratch, 'temporal.log') }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }),
  ]);
  server = started;
  const workflowBundlePath = path.join(scratch, 'workflow-bundle.js');
  fs.writeFileSync(workflowBundlePath, bundle.code);
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', workflowBundlePath);
  console.log(`Temporal dev server for tests on ${server.address}`);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string, meta?: unknown) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
};
