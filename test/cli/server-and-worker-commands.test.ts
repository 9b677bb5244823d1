import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../dev/dev-server';
import { AuditStore } from '../../store/audit-store';
import { openControlDatabase } from '../../store/control-database';
import { runCli, startCli, type LongRunningCli } from '../support/run-cli';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-cli-'));
const started: LongRunningCli[] = [];

afterAll(async () => {
  await Promise.all(started.map((process) => process.stop()));
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('stagecoach server', () => {
  it('starts a dev server, reports it reused on a second call, and stops with exit 0 on SIGTERM', async () => {
    const port = await freePort();
    const server = startCli(['server', '--port', String(port), '--headless', '--in-memory', '--json']);
    started.push(server);
    const line = await server.waitForLine((l) => l.startsWith('{'));
    expect(JSON.parse(line)).toEqual({ address: `127.0.0.1:${port}`, reused: false });

    const again = await runCli(['server', '--port', String(port), '--headless', '--json']);
    expect(again.code).toBe(0);
    expect(again.json()).toEqual({ address: `127.0.0.1:${port}`, reused: true });

    expect(await server.stop()).toBe(0);
  });

  it('exits 2 for a port that is not a port', async () => {
    const run = await runCli(['server', '--port', 'eighty']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "stagecoach: option '--port <port>' argument 'eighty' is invalid. expected a port number 1–65535 (see --help)\n",
    );
  });
});

describe('stagecoach worker', () => {
  it('runs workflows and activities on its task queue, then stops with exit 0 on SIGTERM', async () => {
    const address = inject('temporalAddress');
    const taskQueue = `cli-worker-${randomUUID()}`;
    const controlDbFile = path.join(scratch, 'control.db');
    const worker = startCli([
      'worker',
      '--address',
      address,
      '--task-queue',
      taskQueue,
      '--control-db',
      controlDbFile,
      '--json',
    ]);
    started.push(worker);
    const line = await worker.waitForLine((l) => l.startsWith('{'));
    expect(JSON.parse(line)).toEqual({ polling: true, taskQueue, address });

    const cli = (...args: string[]) => runCli(['--address', address, '--task-queue', taskQueue, ...args]);
    const workflowId = `approval/cli-worker/${randomUUID()}`;
    const request = await cli(
      'approval',
      'request',
      '--id',
      workflowId,
      '--gate',
      'go-live',
      '--approver',
      'carol',
      '--subject',
      'acme go-live',
      '--requested-by',
      'rita',
    );
    expect(request.code).toBe(0);
    expect((await cli('approval', 'approve', workflowId, '--user', 'carol')).code).toBe(0);
    const wait = await cli('approval', 'wait', workflowId, '--json');
    expect(wait.code).toBe(0);
    expect(wait.json()).toMatchObject({ outcome: 'approved' });

    expect(await worker.stop()).toBe(0);
    const controlDb = await openControlDatabase(controlDbFile);
    try {
      const kinds = (await new AuditStore(controlDb).listForWorkflow(workflowId)).map((event) => event.kind);
      expect(kinds).toContain('decision-approve');
    } finally {
      await controlDb.destroy();
    }
  });
});
