import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, expect, inject, it } from 'vitest';
import { StagecoachClient } from '../../client';
import type { InstanceRef } from '../../domain/landscapes';
import { WORKER_ENV } from '../../worker/settings';
import { startLocalSmtpServer, type LocalSmtpServer } from '../support/smtp-server';
import { spawnWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { acquireLockSignal, INSTANCE_LOCK_WORKFLOW_TYPE, instanceLockWorkflowId } from '../../contracts/instance-locks';
// The real worker process wires the SMTP mailer and the Temporal client the lock activities use.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-gate-lock-worker-'));
let worker: WorkerProcess | undefined;
let smtp: LocalSmtpServer | undefined;
afterAll(async () => {
  await worker?.stop();
  await smtp?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

it('mails approvers through the configured SMTP server and frees a lock whose holder is terminated', async () => {
  smtp = await startLocalSmtpServer();
  const taskQueue = `test-${randomUUID()}`;
  worker = await spawnWorkerProcess({
    temporalAddress: inject('temporalAddress'),
    taskQueue,
    controlDbUrl: path.join(scratch, 'control.db'),
    env: {
      [WORKER_ENV.smtpUrl]: smtp.url,
      [WORKER_ENV.mailFrom]: 'stagecoach@example.test',
      [WORKER_ENV.mailDomain]: 'example.test',
      [WORKER_ENV.lockHolderCheckSeconds]: '1',
    },
  });
  const client = await StagecoachClient.connect({ address: inject('temporalAddress'), taskQueue });
  try {
    const subject = `smoke ${randomUUID().slice(0, 8)}`;
    const approvalId = `approval/smoke/${randomUUID()}`;
    const handle = await client.approvals.request(approvalId, {
      subject,
      requestedBy: 'rita',
      gate: { name: 'go-live', approvers: ['alice'], requiredApprovals: 1, timeoutSeconds: 60, onTimeout: 'reject' },
    });
    const [mail] = await smtp.waitFor((mails) => mails.some((m) => m.subject.includes(subject)));
    expect(mail).toMatchObject({ from: 'stagecoach@example.test', to: ['alice@example.test'] });

    // The running approval stands in for a holder; terminating it must free the lock.
    const instance: InstanceRef = { tenant: `t${randomUUID().slice(0, 8)}`, landscape: 'staging' };
    const { runId } = await client.temporal.workflow.getHandle(approvalId).describe();
    await client.temporal.workflow.signalWithStart(INSTANCE_LOCK_WORKFLOW_TYPE, {
      workflowId: instanceLockWorkflowId(instance),
      taskQueue,
      args: [{ instance, holderCheckSeconds: 1 }],
      signal: acquireLockSignal,
      signalArgs: [
        {
          requestId: 'r1',
          holderWorkflowId: approvalId,
          holderRunId: runId,
          reason: 'smoke',
          requestedAt: new Date().toISOString(),
        },
      ],
    });
    await expect.poll(async () => (await client.locks.status(instance)).holder?.holderWorkflowId).toBe(approvalId);
    await handle.terminate('smoke test');
    await expect.poll(async () => (await client.locks.status(instance)).holder, { timeout: 20_000 }).toBeUndefined();
    await client.temporal.workflow.getHandle(instanceLockWorkflowId(instance)).terminate('smoke test done');
  } finally {
    await client.close();
  }
});
