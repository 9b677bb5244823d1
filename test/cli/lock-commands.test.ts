import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import type { InstanceRef } from '../../domain/landscapes';
import { openControlDatabase } from '../../store/control-database';
import { startTestWorker, uniqueId, type TemporalTestContext } from '../support/temporal';
import { runCli } from '../support/run-cli';
import { acquireLockSignal, INSTANCE_LOCK_WORKFLOW_TYPE, instanceLockWorkflowId } from '../../contracts/instance-locks';
// A real instance lock held by a running workflow (an approval stands in for a release).
let ctx: TemporalTestContext;
let controlDb: Knex;
let scratch: string;
const instance: InstanceRef = { tenant: `t${randomUUID().slice(0, 8)}`, landscape: 'staging' };
const lockId = instanceLockWorkflowId(instance);
let holderId: string;

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-cli-lock-'));
  controlDb = await openControlDatabase(path.join(scratch, 'control.db'));
  // Olga may force-release locks (docs/approvals-locks-windows.md "Who may act").
  ctx = await startTestWorker({
    controlDb,
    inventory: { file: 'stagecoach.yaml', tenants: {}, roles: { 'lock-admin': ['olga'] } },
  });
  holderId = uniqueId(`approval/${instance.tenant}`);
  const holder = await ctx.client.approvals.request(holderId, {
    subject: 'stands in for a release',
    requestedBy: 'rita',
    gate: { name: 'go-live', approvers: ['alice'], requiredApprovals: 1, timeoutSeconds: 600, onTimeout: 'reject' },
  });
  await ctx.client.temporal.workflow.signalWithStart(INSTANCE_LOCK_WORKFLOW_TYPE, {
    workflowId: lockId,
    taskQueue: ctx.taskQueue,
    args: [{ instance, holderCheckSeconds: 3600 }],
    signal: acquireLockSignal,
    signalArgs: [
      {
        requestId: 'r1',
        holderWorkflowId: holderId,
        holderRunId: holder.firstExecutionRunId,
        reason: 'release 1.4: baseline',
        requestedAt: new Date().toISOString(),
      },
    ],
  });
});

afterAll(async () => {
  await ctx.client.temporal.workflow
    .getHandle(lockId)
    .terminate('test done')
    .catch(() => undefined);
  await ctx.client.temporal.workflow
    .getHandle(holderId)
    .terminate('test done')
    .catch(() => undefined);
  await ctx?.stop();
  await controlDb?.destroy();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(['--address', ctx.address, '--task-queue', ctx.taskQueue, ...args]);

describe('stagecoach lock', () => {
  it('status shows the holder; list finds the lock', async () => {
    await expect
      .poll(
        async () => (await cli('lock', 'status', instance.tenant, 'staging', '--json')).json().holder?.holderWorkflowId,
      )
      .toBe(holderId);
    const human = await cli('lock', 'status', instance.tenant, 'staging');
    expect(human.stdout).toMatch(
      new RegExp(`^${lockId}  held by ${holderId} since .* \\(release 1.4: baseline\\)\\n$`),
    );

    // Visibility is eventually consistent: the lock appears in the list shortly after it starts.
    await expect
      .poll(
        async () =>
          (await cli('lock', 'list', '--tenant', instance.tenant, '--json'))
            .json()
            .map((l: { lockWorkflowId: string }) => l.lockWorkflowId),
        { timeout: 20_000 },
      )
      .toEqual([lockId]);
  });

  it('release is refused (exit 4) without a reason, then frees the instance with one', async () => {
    const blank = await cli('lock', 'release', instance.tenant, 'staging', '--user', 'olga', '--reason', ' ', '--json');
    expect(blank.code).toBe(4);
    expect(blank.stderr).toMatch(/Force-release refused on .*: a force-release needs a reason/);

    const release = await cli(
      'lock',
      'release',
      instance.tenant,
      'staging',
      '--user',
      'olga',
      '--reason',
      'holder stuck',
      '--json',
    );
    expect(release.code).toBe(0);
    expect(release.json()).toMatchObject({ released: { holderWorkflowId: holderId, requestId: 'r1' } });
    const status = await cli('lock', 'status', instance.tenant, 'staging', '--json');
    expect(status.json()).toMatchObject({ lockWorkflowId: lockId, queue: [] });
    expect(status.json().holder).toBeUndefined();

    const again = await cli('lock', 'release', instance.tenant, 'staging', '--user', 'olga', '--reason', 'twice');
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/the lock is free/);
  });

  it('exits 3 for an instance without a lock and 2 for an unknown landscape', async () => {
    const missing = await cli('lock', 'status', 'nobody', 'production', '--json');
    expect(missing.code).toBe(3);
    expect(missing.json()).toMatchObject({
      error: { code: 'notFound', message: "No workflow 'lock/nobody/production' was found" },
    });
    const bad = await cli('lock', 'status', 'acme', 'prod');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      "stagecoach: landscape 'prod' is not one of production, staging, uat, pilot, development, other\n",
    );
  });
});
