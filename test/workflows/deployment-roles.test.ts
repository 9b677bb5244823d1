import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentError, RefusedError } from '../../client';
import type { DeploymentStatus } from '../../contracts/deployments';
import { startFleetWorker, type FleetWorker } from '../support/deployments/fleet-worker';
import {
  createTenantFleet,
  patchLogCounts,
  publishPackage,
  type TenantFleet,
} from '../support/deployments/tenant-fleet';
import { form, incremental } from '../support/packages/package-builders';
import { pollUntil, rejectionOf } from '../support/poll';

// docs/approvals-locks-windows.md "Who may act": only deployment-admin (or admin) starts, cancels or resolves a mass
// deployment; anyone else is refused by name, and nothing changes.
let fleet: TenantFleet;
let ctx: FleetWorker;

beforeAll(async () => {
  fleet = await createTenantFleet(4, {
    prefix: 'ro',
    roles: { 'deployment-admin': ['rita'], admin: ['ada'], 'promotion-admin': ['pat'] },
  });
  ctx = await startFleetWorker(fleet, { instanceLocks: { holderCheckSeconds: 5 } });
}, 60_000);

afterAll(async () => {
  await ctx?.stop();
  fleet?.remove();
});

const statusWhen = (id: string, predicate: (s: DeploymentStatus) => boolean) =>
  pollUntil('deployment status', () => ctx.client.deployments.status(id), predicate);

describe.concurrent('who may deploy', () => {
  it('a user without deployment-admin cannot start one: refused naming the role, nothing applied', async () => {
    const packageSha256 = await publishPackage(ctx.controlDb, incremental('roles-start', '1.0.0', [form(1, 'R1')]));
    const id = await ctx.client.deployments.start({ packageSha256, submitter: 'pat' });
    const refused = await rejectionOf(ctx.client.deployments.whenPrepared(id), DeploymentError);
    expect(refused.type).toBe('PermissionDenied');
    expect(refused.message).toBe(
      "user 'pat' may not start a mass deployment: it needs role deployment-admin (or admin); pat has roles promotion-admin; nothing deployed",
    );
    expect((await patchLogCounts(ctx.controlDb, 'roles-start')).size).toBe(0);
    // admin encompasses deployment-admin.
    const byAdmin = await ctx.client.deployments.start({
      packageSha256,
      tenants: [fleet.tenants[0]],
      submitter: 'ada',
    });
    expect((await ctx.client.deployments.result(byAdmin)).counts).toMatchObject({ succeeded: 1 });
  });

  it('cancel: refused from a user without the role, recorded; taken from the submitter', async () => {
    const packageSha256 = await publishPackage(ctx.controlDb, incremental('roles-cancel', '1.0.0', [form(2, 'R2')]));
    const id = await ctx.client.deployments.start({
      packageSha256,
      tenants: fleet.tenants,
      waves: { size: 2, gate: { approvers: ['alice'] } },
      submitter: 'rita',
    });
    await statusWhen(id, (s) => s.phase === 'waiting-for-approval');
    const refused = await rejectionOf(
      ctx.client.deployments.cancel(id, { user: 'pat', reason: 'not today' }),
      RefusedError,
    );
    expect(refused.message).toContain(`user 'pat' may not cancel deployment ${id}: it needs role deployment-admin`);
    const resolve = await rejectionOf(
      ctx.client.deployments.resolve(id, { action: 'cancel', user: 'pat', reason: 'x' }),
      RefusedError,
    );
    expect(resolve.message).toContain('not halted');
    expect(await ctx.client.deployments.status(id)).toMatchObject({
      phase: 'waiting-for-approval',
      refusedCancels: [{ user: 'pat', reason: 'not today', refusal: expect.stringContaining('deployment-admin') }],
    });

    await ctx.client.deployments.cancel(id, { user: 'rita', reason: 'wrong week' });
    const result = await ctx.client.deployments.result(id);
    expect(result.cancelled).toEqual({ user: 'rita', reason: 'wrong week' });
    expect(result.counts).toMatchObject({ succeeded: 2, skipped: 2 });
  });
});
