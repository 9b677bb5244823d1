import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DeploymentError } from '../../client';
import { DeploymentStore } from '../../store/deployment-store';
import { holdInstanceLock } from '../support/deployments/lock-holder';
import { startFleetWorker, type FleetWorker } from '../support/deployments/fleet-worker';
import { form, incremental } from '../support/packages/package-builders';
import {
  createTenantFleet,
  patchLogCounts,
  publishPackage,
  type TenantFleet,
} from '../support/deployments/tenant-fleet';
import { bundleTestWorkflows } from './fixtures/test-bundle';
import { finishSignal } from './fixtures/test-workflows';
import type { MassDeploymentInput } from '../../contracts/deployments';

// Selections, skips and cancellation of mass deployments (docs/mass-deployment-and-promotions.md), on a small fleet.
let fleet: TenantFleet;
let ctx: FleetWorker;
let packageSha256: string;

beforeAll(async () => {
  fleet = await createTenantFleet(30, { prefix: 'sel' });
  ctx = await startFleetWorker(fleet, {
    instanceLocks: { holderCheckSeconds: 5 },
    workflowBundleCode: await bundleTestWorkflows(),
  });
  packageSha256 = await publishPackage(
    ctx.controlDb,
    incremental('selection-forms', '1.0.0', [form(1, 'Selection Form')]),
  );
}, 60_000);

afterAll(async () => {
  await ctx?.stop();
  fleet?.remove();
});

it('refuses a selection naming unknown tenants, and an unpublished package, before deploying anything', async () => {
  const unknown = await ctx.client.deployments.start({
    packageSha256,
    tenants: [fleet.tenants[0], 'nobody', 'ghost'],
    submitter: 'rita',
  });
  await expect(ctx.client.deployments.result(unknown)).rejects.toThrow(
    new DeploymentError(unknown, 'UnknownTenant', 'tenant(s) not in the inventory: nobody, ghost; nothing deployed'),
  );
  const unpublished = await ctx.client.deployments.start({ packageSha256: 'f'.repeat(64), submitter: 'rita' });
  await expect(ctx.client.deployments.result(unpublished)).rejects.toThrow(
    `package sha256:${'f'.repeat(64)} is not in the control database's packages table`,
  );
  expect(await ctx.controlDb('patch_log').where({ package_id: 'selection-forms' })).toEqual([]);
});

it('skips tenants that already have the package, naming the deployment that applied it', async () => {
  const first = await ctx.client.deployments.start({
    packageSha256,
    tenants: fleet.tenants.slice(0, 2),
    submitter: 'rita',
  });
  expect((await ctx.client.deployments.result(first)).counts).toMatchObject({ succeeded: 2, failed: 0, skipped: 0 });
  const second = await ctx.client.deployments.start({
    packageSha256,
    tenants: fleet.tenants.slice(0, 4),
    submitter: 'rita',
  });
  expect((await ctx.client.deployments.result(second)).counts).toMatchObject({ total: 4, succeeded: 2, skipped: 2 });
  const skipped = await new DeploymentStore(ctx.controlDb).tenants(second, { status: 'skipped' });
  expect(skipped.map((s) => s.tenant)).toEqual(fleet.tenants.slice(0, 2));
  expect(skipped[0].reason).toContain(`already has selection-forms@1.0.0 (applied `);
  // The batch child that applied it: `<deployment>/<first tenant>..<last tenant>`.
  expect(skipped[0].reason).toContain(`by ${first}/${fleet.tenants[0]}`);
});

it('a cancelled deployment lets running tenants finish and skips the rest with the reason', async () => {
  const tenants = fleet.tenants.slice(10, 30);
  const id = await ctx.client.deployments.start({ packageSha256, tenants, concurrency: 1, submitter: 'rita' });
  for (
    let status = await ctx.client.deployments.status(id).catch(() => undefined);
    !status || status.counts.processed < 2;
    status = await ctx.client.deployments.status(id).catch(() => undefined)
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await ctx.client.deployments.cancel(id, { user: 'rita', reason: 'wrong package' });
  const result = await ctx.client.deployments.result(id);
  expect(result.cancelled).toEqual({ user: 'rita', reason: 'wrong package' });
  expect(result.counts.succeeded).toBeGreaterThanOrEqual(2);
  expect(result.counts.succeeded + result.counts.skipped).toBe(20);
  expect(result.counts.skipped).toBeGreaterThan(0);
  expect(await ctx.client.deployments.tenantStatus(id, tenants[19])).toEqual({
    tenant: tenants[19],
    status: 'skipped',
    reason: 'deployment cancelled by rita: wrong package',
  });
  expect(await new DeploymentStore(ctx.controlDb).get(id)).toMatchObject({
    status: 'cancelled',
    succeeded: result.counts.succeeded,
    skipped: result.counts.skipped,
  });
  const applied = await ctx
    .controlDb('patch_log')
    .where({ package_id: 'selection-forms' })
    .whereIn(
      'instance_key',
      tenants.map((t) => `${t}/production`),
    );
  expect(applied).toHaveLength(result.counts.succeeded);
});

it('a scheduled deployment waits for its date and shows it', async () => {
  const at = new Date(Date.now() + 3_600_000).toISOString();
  const id = await ctx.client.deployments.start({
    packageSha256,
    tenants: fleet.tenants.slice(5, 7),
    scheduledFor: at,
    submitter: 'rita',
  });
  let status = await ctx.client.deployments.status(id).catch(() => undefined);
  while (!status) status = await ctx.client.deployments.status(id).catch(() => undefined);
  expect(status).toMatchObject({ phase: 'scheduled', scheduledFor: at, counts: { processed: 0 } });
  await ctx.client.deployments.cancel(id, { user: 'rita', reason: 'not this week' });
  expect((await ctx.client.deployments.result(id)).counts).toMatchObject({ total: 2, succeeded: 0, skipped: 2 });
});

it('a tenant whose lock another holder has waits in its queue while the rest of its batch deploys, then gets the package', async () => {
  const tenants = fleet.tenants.slice(20, 26);
  const busy = tenants[1];
  const holder = await holdInstanceLock(ctx, { tenant: busy, landscape: 'production' }, 'release r1: production push');
  const contended = await publishPackage(
    ctx.controlDb,
    incremental('contended-forms', '1.0.0', [form(1, 'Contended Form')]),
  );
  // A window of 6 puts these tenants in batches of 3: the busy one shares its batch with two others.
  const id = await ctx.client.deployments.start({
    packageSha256: contended,
    tenants,
    concurrency: 6,
    submitter: 'rita',
  });

  await expect.poll(async () => (await ctx.client.deployments.status(id)).counts.running, { timeout: 30_000 }).toBe(3);
  // Tenants report when their batch ends; meanwhile the patch log shows who has the package.
  await expect
    .poll(async () => (await patchLogCounts(ctx.controlDb, 'contended-forms')).size, { timeout: 30_000 })
    .toBe(tenants.length - 1);
  expect((await patchLogCounts(ctx.controlDb, 'contended-forms')).has(`${busy}/production`)).toBe(false);
  expect(await ctx.client.deployments.tenantStatus(id, busy)).toMatchObject({ status: 'running' });

  await holder.signal(finishSignal, 'complete');
  expect((await ctx.client.deployments.result(id)).counts).toMatchObject({
    total: tenants.length,
    succeeded: tenants.length,
    failed: 0,
  });
  expect((await patchLogCounts(ctx.controlDb, 'contended-forms')).get(`${busy}/production`)).toBe(1);
});

it('a selection continued as new deploys exactly the selected tenants, and the selection travels once, in the carried list', async () => {
  const selected = fleet.tenants.filter((_, i) => i % 3 === 0);
  const pkg = await publishPackage(
    ctx.controlDb,
    incremental('selection-continued', '1.0.0', [form(1, 'Continued Form')]),
  );
  const id = await ctx.client.deployments.start({
    packageSha256: pkg,
    tenants: selected,
    concurrency: 2,
    maxHistoryEvents: 30,
    submitter: 'rita',
  });
  const result = await ctx.client.deployments.result(id);
  expect(result.runs).toBeGreaterThan(1);
  expect(result.counts).toMatchObject({ total: selected.length, succeeded: selected.length, failed: 0, skipped: 0 });
  const logged = await patchLogCounts(ctx.controlDb, 'selection-continued');
  expect([...logged.keys()].sort()).toEqual(selected.map((t) => `${t}/production`).sort());
  expect([...logged.values()].every((n) => n === 1)).toBe(true);

  const history = await ctx.client.temporal.workflow.getHandle(id).fetchHistory();
  const input = defaultPayloadConverter.fromPayload<MassDeploymentInput>(
    history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0],
  );
  expect(input.tenants).toBeUndefined();
  expect(input.carried?.progress.tenants).toEqual(selected);
});
