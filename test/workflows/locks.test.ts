import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { InstanceRef } from '../../domain/landscapes';
import { AuditStore } from '../../store/audit-store';
import { startTestWorkerWithControlDb, uniqueId, type ControlDbTestContext } from '../support/temporal';
import { bundleTestWorkflows } from './fixtures/test-bundle';
import { finishSignal } from './fixtures/test-workflows';
import { type InstanceLockStatus, instanceLockWorkflowId } from '../../contracts/instance-locks';
import { pollUntil } from '../support/poll';
// The instance lock on the real server, with small holder workflows (test/workflows/fixtures/).
// Histories are kept short (continue-as-new after 60 events) so every test also crosses runs.
let ctx: ControlDbTestContext;
let temporal: Client;
let connection: Connection;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('temporalAddress') });
  temporal = new Client({ connection });
  const instanceLocks = { temporal, holderCheckSeconds: 1, maxHistoryEvents: 60 };
  // Ada may force-release locks (docs/approvals-locks-windows.md "Who may act").
  const inventory = { file: 'stagecoach.yaml', tenants: {}, roles: { 'lock-admin': ['ada'] } };
  ctx = await startTestWorkerWithControlDb(
    'postgres',
    'locks',
    { instanceLocks, inventory },
    { workflowBundleCode: await bundleTestWorkflows() },
  );
});

afterAll(async () => {
  await ctx?.stop();
  await connection?.close();
});

const newInstance = (): InstanceRef => ({ tenant: `t${randomUUID().slice(0, 8)}`, landscape: 'production' });

async function startHolder(instance: InstanceRef, reason: string): Promise<string> {
  const workflowId = uniqueId(`holder/${instance.tenant}/${reason}`);
  await temporal.workflow.start('lockHolder', { taskQueue: ctx.taskQueue, workflowId, args: [{ instance, reason }] });
  return workflowId;
}

async function lockWhen(
  instance: InstanceRef,
  predicate: (status: InstanceLockStatus) => boolean,
  timeoutMs = 30_000,
): Promise<InstanceLockStatus> {
  // The lock workflow may not exist yet: a failed read is "not yet".
  return pollUntil('lock', () => ctx.client.locks.status(instance), predicate, { timeoutMs, intervalMs: 150 });
}

const holderOf = (status: InstanceLockStatus) => status.holder?.holderWorkflowId;
const queueOf = (status: InstanceLockStatus) => status.queue.map((r) => r.holderWorkflowId);

/** Starts holders one after another, each queued before the next starts, so FIFO order is known. */
async function queueHolders(instance: InstanceRef, reasons: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const reason of reasons) {
    ids.push(await startHolder(instance, reason));
    await lockWhen(instance, (s) => [holderOf(s), ...queueOf(s)].includes(ids.at(-1)));
  }
  return ids;
}

async function lockAuditKinds(
  instance: InstanceRef,
): Promise<{ kind: string; actor?: string; detail?: Record<string, unknown> }[]> {
  return new AuditStore(ctx.controlDb).listForWorkflow(instanceLockWorkflowId(instance));
}

// One concurrent suite whose tests are registered by topic, in their old order: sibling suites would each get
// their own maxConcurrency limit, and all lock tests would run at once.
describe.concurrent('instance lock', () => {
  handOverTests();
  goneHolderTests();
  adminAndHistoryTests();
});

function handOverTests(): void {
  it('serializes two (and three) holders of one instance, first come first served', async ({ expect }) => {
    const instance = newInstance();
    const [a, b, c] = await queueHolders(instance, ['release-a', 'release-b', 'refresh-c']);
    const status = await lockWhen(instance, (s) => holderOf(s) === a);
    expect(queueOf(status)).toEqual([b, c]);
    expect(status.holder!.reason).toBe('release-a');

    await temporal.workflow.getHandle(a).signal(finishSignal, 'complete');
    expect(await temporal.workflow.getHandle(a).result()).toBe('release-a done');
    expect(queueOf(await lockWhen(instance, (s) => holderOf(s) === b))).toEqual([c]);
    await temporal.workflow.getHandle(b).signal(finishSignal, 'complete');
    await lockWhen(instance, (s) => holderOf(s) === c && s.queue.length === 0);
    await temporal.workflow.getHandle(c).signal(finishSignal, 'complete');
    await temporal.workflow.getHandle(c).result();
    await lockWhen(instance, (s) => s.holder === undefined);

    await expect
      .poll(async () => (await lockAuditKinds(instance)).filter((e) => e.kind === 'lock-granted').map((e) => e.actor))
      .toEqual([a, b, c]);
  });

  it('passes to the next holder when the holder fails', async ({ expect }) => {
    const instance = newInstance();
    const [a, b] = await queueHolders(instance, ['a', 'b']);
    await temporal.workflow.getHandle(a).signal(finishSignal, 'fail');
    await expect(temporal.workflow.getHandle(a).result()).rejects.toThrow();
    await lockWhen(instance, (s) => holderOf(s) === b);
    await temporal.workflow.getHandle(b).signal(finishSignal, 'complete');
    await temporal.workflow.getHandle(b).result();
  });

  it('passes on when the holder is cancelled, and drops a cancelled request from the queue', async ({ expect }) => {
    const instance = newInstance();
    const [a, b, c] = await queueHolders(instance, ['a', 'b', 'c']);
    await temporal.workflow.getHandle(b).cancel();
    expect(queueOf(await lockWhen(instance, (s) => s.queue.length === 1))).toEqual([c]);
    await temporal.workflow.getHandle(a).cancel();
    await lockWhen(instance, (s) => holderOf(s) === c);
    await temporal.workflow.getHandle(c).signal(finishSignal, 'complete');
    await temporal.workflow.getHandle(c).result();
    await expect
      .poll(async () => (await lockAuditKinds(instance)).map((e) => e.kind).filter((k) => k.startsWith('lock-re')))
      .toEqual([
        'lock-requested',
        'lock-requested',
        'lock-requested',
        'lock-request-withdrawn',
        'lock-released',
        'lock-released',
      ]);
  });
}

function goneHolderTests(): void {
  it('notices by itself when the holder is terminated, and passes on', async ({ expect }) => {
    const instance = newInstance();
    const [a, b] = await queueHolders(instance, ['a', 'b']);
    await temporal.workflow.getHandle(a).terminate('machine room on fire');
    await lockWhen(instance, (s) => holderOf(s) === b);
    await expect
      .poll(async () => (await lockAuditKinds(instance)).find((e) => e.kind === 'lock-holder-gone')?.detail)
      .toMatchObject({ status: 'TERMINATED' });
    await temporal.workflow.getHandle(b).signal(finishSignal, 'complete');
    await temporal.workflow.getHandle(b).result();
  });

  it('skips a queued holder that was terminated while it waited', async ({ expect }) => {
    const instance = newInstance();
    const [a, b, c] = await queueHolders(instance, ['a', 'b', 'c']);
    await temporal.workflow.getHandle(b).terminate('gone');
    await temporal.workflow.getHandle(a).signal(finishSignal, 'complete');
    await lockWhen(instance, (s) => holderOf(s) === c);
    await expect
      .poll(async () =>
        (await lockAuditKinds(instance)).filter((e) => e.kind === 'lock-holder-gone').map((e) => e.actor),
      )
      .toEqual([b]);
    await temporal.workflow.getHandle(c).signal(finishSignal, 'complete');
    await temporal.workflow.getHandle(c).result();
  });
}

function adminAndHistoryTests(): void {
  it('is force-released by an admin with a reason, audited; refused without one', async ({ expect }) => {
    const instance = newInstance();
    const [a, b] = await queueHolders(instance, ['stuck', 'next']);
    await lockWhen(instance, (s) => holderOf(s) === a);
    await expect(ctx.client.locks.forceRelease(instance, { user: 'ada', reason: ' ' })).rejects.toThrow();
    await expect(ctx.client.locks.forceRelease(instance, { user: 'bob', reason: 'in the way' })).rejects.toThrow(
      /user 'bob' may not force-release the lock .*: it needs role lock-admin \(or admin\); bob has no role/,
    );
    expect(holderOf(await ctx.client.locks.status(instance))).toBe(a);
    await expect(
      ctx.client.locks.forceRelease(instance, { user: 'ada', reason: 'x', requestId: 'nope' }),
    ).rejects.toThrow();
    const { released } = await ctx.client.locks.forceRelease(instance, {
      user: 'ada',
      reason: 'holder hangs on a dead database',
    });
    expect(released.holderWorkflowId).toBe(a);
    await lockWhen(instance, (s) => holderOf(s) === b);
    await expect
      .poll(async () => (await lockAuditKinds(instance)).find((e) => e.kind === 'lock-force-released'))
      .toMatchObject({ actor: 'ada', detail: { reason: 'holder hangs on a dead database', holder: a } });

    // The old holder's own release later changes nothing.
    await temporal.workflow.getHandle(a).signal(finishSignal, 'complete');
    await temporal.workflow.getHandle(a).result();
    expect(holderOf(await ctx.client.locks.status(instance))).toBe(b);
    await temporal.workflow.getHandle(b).signal(finishSignal, 'complete');
    await temporal.workflow.getHandle(b).result();
    await expect(ctx.client.locks.forceRelease(instance, { user: 'ada', reason: 'again' })).rejects.toThrow();
  });

  it('continues as new carrying holder and queue, and is listed by the client', async ({ expect }) => {
    const instance = newInstance();
    const [a, b, c] = await queueHolders(instance, ['a', 'b', 'c']);
    const lockId = instanceLockWorkflowId(instance);
    const firstRun = (await temporal.workflow.getHandle(lockId).describe()).runId;
    // The holder check runs every second: the short history limit is crossed within seconds.
    await expect
      .poll(async () => (await temporal.workflow.getHandle(lockId).describe()).runId, { timeout: 30_000 })
      .not.toBe(firstRun);
    const status = await ctx.client.locks.status(instance);
    expect([holderOf(status), ...queueOf(status)]).toEqual([a, b, c]);
    await expect
      .poll(async () => (await ctx.client.locks.list()).map((l) => l.lockWorkflowId), {
        timeout: 30_000,
      })
      .toContain(lockId);
    for (const id of [a, b, c]) {
      await lockWhen(instance, (s) => holderOf(s) === id);
      await temporal.workflow.getHandle(id).signal(finishSignal, 'complete');
      await temporal.workflow.getHandle(id).result();
    }
  });
}
