import { afterAll, beforeAll, expect, it } from 'vitest';
import { holdInstanceLock } from '../support/deployments/lock-holder';
import { startFleetWorker, type FleetWorker } from '../support/deployments/fleet-worker';
import {
  createTenantFleet,
  patchLogCounts,
  publishPackage,
  type TenantFleet,
} from '../support/deployments/tenant-fleet';
import { fingerprint } from '../support/packages/fingerprint';
import { form, guid, incremental } from '../support/packages/package-builders';
import { pollUntil } from '../support/poll';
import { bundleTestWorkflows } from './fixtures/test-bundle';
import { finishSignal } from './fixtures/test-workflows';

// docs/packages.md "Apply": a package applied by hand waits for the instance's lock, and the same apply asked twice
// (same content, same target) is one workflow and one patch log entry.
let fleet: TenantFleet;
let ctx: FleetWorker;

beforeAll(async () => {
  fleet = await createTenantFleet(1, { prefix: 'apl' });
  ctx = await startFleetWorker(fleet, {
    instanceLocks: { holderCheckSeconds: 5 },
    workflowBundleCode: await bundleTestWorkflows(),
  });
}, 60_000);

afterAll(async () => {
  await ctx?.stop();
  fleet?.remove();
});

it('waits for the holder of the instance lock; two applies of the same package at once are one apply', async () => {
  const tenant = fleet.tenants[0];
  const target = { tenant, landscape: 'production' as const };
  const holder = await holdInstanceLock(ctx, target, 'release r9: production push');
  const sha256 = await publishPackage(
    ctx.controlDb,
    incremental('apply-locked', '1.0.0', [{ ...form(1, 'Locked Apply Form'), guid: guid(0x7301) }]),
  );
  const knex = fleet.open(tenant);
  const before = await fingerprint(knex);

  const first = ctx.client.packages.apply({ target, package: { sha256 } });
  const second = ctx.client.packages.apply({ target, package: { sha256 } });
  // Both wait in the lock's queue (one request: the second start joined the first workflow); nothing is written.
  const lock = await pollUntil(
    'queued apply',
    () => ctx.client.locks.status(target),
    (status) => status.queue.length > 0,
    { timeoutMs: 20_000 },
  );
  expect(lock.queue.map((request) => request.holderWorkflowId)).toEqual([
    `package-apply/${tenant}/production/${sha256.slice(0, 16)}`,
  ]);
  expect(await fingerprint(knex)).toEqual(before);

  await holder.signal(finishSignal, 'complete');
  const [a, b] = await Promise.all([first, second]);
  expect(a.workflowId).toBe(b.workflowId);
  expect(a.applied).toMatchObject({ outcome: 'applied' });
  expect(b.applied).toEqual(a.applied);
  expect((await patchLogCounts(ctx.controlDb, 'apply-locked')).get(`${tenant}/production`)).toBe(1);
  expect(await fingerprint(knex)).not.toEqual(before);
  await knex.destroy();
});
