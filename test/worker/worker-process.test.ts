import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, expect, inject, it } from 'vitest';
import { StagecoachClient } from '../../client';
import { AuditStore } from '../../store/audit-store';
import { openControlDatabase } from '../../store/control-database';
import { spawnWorkerProcess, type WorkerProcess } from '../support/worker-process';

// The production wiring end to end: worker/main.ts in its own process, configured only by
// environment, with its default SQLite control database.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-worker-'));
let worker: WorkerProcess | undefined;
afterAll(async () => {
  await worker?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

it('runs an approval through the real worker process and records it in the control database', async () => {
  const taskQueue = `test-${randomUUID()}`;
  const controlDbUrl = path.join(scratch, 'control.db');
  worker = await spawnWorkerProcess({ temporalAddress: inject('temporalAddress'), taskQueue, controlDbUrl });
  const client = await StagecoachClient.connect({ address: inject('temporalAddress'), taskQueue });
  try {
    const workflowId = `approval/smoke/${randomUUID()}`;
    await client.approvals.request(workflowId, {
      subject: 'smoke',
      requestedBy: 'rita',
      gate: { name: 'go-live', approvers: ['alice'], requiredApprovals: 1, timeoutSeconds: 60, onTimeout: 'reject' },
    });
    await client.approvals.decide(workflowId, 'approve', { gate: 'go-live', user: 'alice' });
    expect((await client.approvals.result(workflowId)).outcome).toBe('approved');

    const controlDb = await openControlDatabase(controlDbUrl);
    const events = await new AuditStore(controlDb).listForWorkflow(workflowId);
    await controlDb.destroy();
    // Without an SMTP server the approval request to alice is an audit row of its own.
    expect(events.map((e) => e.kind)).toEqual(['gate-opened', 'notification', 'decision-approve', 'gate-approved']);
    expect(events[2]).toMatchObject({ actor: 'alice', subject: 'smoke' });
  } finally {
    await client.close();
  }
});
