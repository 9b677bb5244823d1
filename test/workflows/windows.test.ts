import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { localParts, WEEKDAYS, type Freeze, type MaintenanceWindow } from '../../domain/maintenance-windows';
import { SEARCH_ATTRIBUTES } from '../../contracts/temporal-names';
import { AuditStore } from '../../store/audit-store';
import type {
  MaintenanceWindowOpened,
  MaintenanceWindowWait,
} from '../../workflows/windows/wait-for-maintenance-window';
import { startTestWorkerWithControlDb, uniqueId, type ControlDbTestContext } from '../support/temporal';
import { bundleTestWorkflows } from './fixtures/test-bundle';
import {
  addFreezeSignal,
  maintenanceWindowQuery,
  type MaintenanceWindowStatus,
  overrideFreezeSignal,
} from '../../contracts/maintenance-windows';
// Windows seconds long, computed relative to now in a real time zone: the zone math runs
// inside the workflow sandbox on the real server.
let ctx: ControlDbTestContext;

beforeAll(async () => {
  ctx = await startTestWorkerWithControlDb(
    'postgres',
    'windows',
    {},
    { workflowBundleCode: await bundleTestWorkflows() },
  );
});

afterAll(async () => {
  await ctx?.stop();
});

const TIME_ZONE = 'America/Sao_Paulo';
const pad = (n: number) => String(n).padStart(2, '0');

/** A window starting `inSeconds` from now (whole seconds), lasting `seconds`. */
function windowFromNow(inSeconds: number, seconds: number): { window: MaintenanceWindow; start: Date } {
  const start = new Date(Math.ceil(Date.now() / 1000) * 1000 + inSeconds * 1000);
  const local = localParts(start.getTime(), TIME_ZONE);
  const weekday = WEEKDAYS[new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay()];
  return {
    window: {
      days: [weekday],
      start: `${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)}`,
      durationMinutes: seconds / 60,
      timeZone: TIME_ZONE,
    },
    start,
  };
}

const secondsFromNow = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

async function startWaiter(
  wait: Omit<MaintenanceWindowWait, 'tenant'>,
): Promise<{ workflowId: string; tenant: string }> {
  const tenant = `t${randomUUID().slice(0, 8)}`;
  const workflowId = uniqueId(`window/${tenant}`);
  await ctx.client.temporal.workflow.start('windowWaiter', {
    taskQueue: ctx.taskQueue,
    workflowId,
    args: [{ tenant, ...wait }],
  });
  return { workflowId, tenant };
}

const status = (workflowId: string): Promise<MaintenanceWindowStatus> =>
  ctx.client.temporal.workflow.getHandle(workflowId).query(maintenanceWindowQuery);
const result = (workflowId: string): Promise<MaintenanceWindowOpened> =>
  ctx.client.temporal.workflow.getHandle(workflowId).result();
const auditOf = (workflowId: string) => new AuditStore(ctx.controlDb).listForWorkflow(workflowId);
const waitingForAttribute = async (workflowId: string) =>
  (await ctx.client.temporal.workflow.getHandle(workflowId).describe()).searchAttributes[SEARCH_ATTRIBUTES.waitingFor];

describe.concurrent('waiting for a maintenance window', () => {
  it('sleeps until the window opens, and says what it waits for', async ({ expect }) => {
    const { window, start } = windowFromNow(4, 30);
    const { workflowId } = await startWaiter({ windows: [window], freezes: [] });
    await expect.poll(async () => (await status(workflowId)).opensAt).toBe(start.toISOString());
    await expect.poll(() => waitingForAttribute(workflowId)).toEqual(['maintenance-window']);
    const opened = await result(workflowId);
    expect(Date.parse(opened.openedAt)).toBeGreaterThanOrEqual(start.getTime());
    expect(opened.windowEnd).toBe(new Date(start.getTime() + 30_000).toISOString());
    expect((await auditOf(workflowId)).map((e) => e.kind)).toEqual([
      'maintenance-window-wait',
      'maintenance-window-open',
    ]);
  });

  it('is blocked by a freeze of the tenant while its window is open', async ({ expect }) => {
    const { window } = windowFromNow(-2, 60);
    const until = secondsFromNow(4);
    const { workflowId } = await startWaiter({
      windows: [window],
      freezes: [{ id: 'quarter-end', from: secondsFromNow(-60), until, reason: 'closing the books' }],
    });
    await expect.poll(async () => (await status(workflowId)).opensAt).toBe(until);
    const opened = await result(workflowId);
    expect(Date.parse(opened.openedAt)).toBeGreaterThanOrEqual(Date.parse(until));
  });

  it('recomputes when a freeze is declared while it waits; another tenant’s freeze does not matter', async ({
    expect,
  }) => {
    const { window, start } = windowFromNow(3, 60);
    const { workflowId, tenant } = await startWaiter({ windows: [window], freezes: [] });
    await expect.poll(async () => (await status(workflowId)).opensAt).toBe(start.toISOString());
    const handle = ctx.client.temporal.workflow.getHandle(workflowId);
    const until = new Date(start.getTime() + 5000).toISOString();
    await handle.signal(addFreezeSignal, {
      id: 'other',
      from: secondsFromNow(-1),
      until: secondsFromNow(3600),
      tenant: `not-${tenant}`,
    });
    await handle.signal(addFreezeSignal, { id: 'incident', from: secondsFromNow(-1), until } satisfies Freeze);
    await expect.poll(async () => (await status(workflowId)).opensAt).toBe(until);
    const opened = await result(workflowId);
    expect(Date.parse(opened.openedAt)).toBeGreaterThanOrEqual(Date.parse(until));
    expect((await status(workflowId)).freezes.map((f) => f.id)).toEqual(['incident']);
  });

  it('goes through a freeze an admin overrides with a reason (audited); refuses one without', async ({ expect }) => {
    const { workflowId } = await startWaiter({
      windows: [],
      freezes: [{ id: 'year-end', from: secondsFromNow(-60), until: secondsFromNow(3600) }],
      admins: ['ada'],
    });
    const handle = ctx.client.temporal.workflow.getHandle(workflowId);
    await expect.poll(async () => (await status(workflowId)).opensAt).toBeDefined();
    await handle.signal(overrideFreezeSignal, { freezeId: 'year-end', user: 'ada', reason: '' });
    await handle.signal(overrideFreezeSignal, { freezeId: 'year-end', user: 'bob', reason: 'please' });
    await expect.poll(async () => (await status(workflowId)).overrides.length).toBe(2);
    expect((await status(workflowId)).waiting).toBe(true);
    await handle.signal(overrideFreezeSignal, {
      freezeId: 'year-end',
      user: 'ada',
      reason: 'security fix, CAB approved',
    });
    const opened = await result(workflowId);
    expect(opened.overriddenFreezes).toEqual(['year-end']);
    const audit = await auditOf(workflowId);
    expect(audit.map((e) => [e.kind, e.actor])).toEqual([
      ['maintenance-window-wait', undefined],
      ['freeze-override-refused', 'ada'],
      ['freeze-override-refused', 'bob'],
      ['freeze-overridden', 'ada'],
      ['maintenance-window-open', undefined],
    ]);
    expect(audit[3].detail).toMatchObject({ reason: 'security fix, CAB approved' });
  });
});
