import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentError, RefusedError } from '../../client';
import type { DeploymentStatus } from '../../contracts/deployments';
import { DeploymentStore } from '../../store/deployment-store';
import { PatchLogStore } from '../../store/patch-log-store';
import { startFleetWorker, type FleetWorker } from '../support/deployments/fleet-worker';
import { createTenantFleet, publishPackage, type TenantFleet } from '../support/deployments/tenant-fleet';
import { fingerprint } from '../support/packages/fingerprint';
import { form, guid, incremental } from '../support/packages/package-builders';
import { pollUntil, rejectionOf } from '../support/poll';

// docs/mass-deployment-and-promotions.md "Waves", "Order" and "Halting and back-out", end to end on a small SQLite
// fleet: a pilot, waves by size, dependencies, a wave halted past its threshold, then resumed or backed out.
let fleet: TenantFleet;
let ctx: FleetWorker;
const t = (index: number) => fleet.tenants[index];

beforeAll(async () => {
  fleet = await createTenantFleet(12, {
    prefix: 'wv',
    entry: (i, tenants) => {
      const dependsOn: Record<number, number[]> = { 3: [7], 5: [4], 9: [8], 10: [11], 11: [10] };
      return {
        ...(i < 2 ? { tags: ['pilot'] } : {}),
        ...(dependsOn[i] ? { dependsOn: dependsOn[i].map((d) => tenants[d]) } : {}),
      };
    },
  });
  ctx = await startFleetWorker(fleet, { instanceLocks: { holderCheckSeconds: 5 } });
}, 60_000);

afterAll(async () => {
  await ctx?.stop();
  fleet?.remove();
});

/** Someone on this tenant made a form of that name: the package's form conflicts there (docs/packages.md "Conflicts"). */
async function conflictOn(index: number, formName: string): Promise<void> {
  const knex = fleet.open(t(index));
  await knex('metadata_items').insert({
    guid: `00000000-0000-4000-9000-${String(index).padStart(12, '0')}`,
    object_type: 'Form',
    business_object: 'Incident',
    name: formName,
    definition: '{}',
    installed_by_package: null,
    updated_at: 'x',
  });
  await knex.destroy();
}

/** Each package creates its own form (its own GUID), so the tests' packages never touch each other's. */
let formGuid = 0x7000;
async function packageWithForm(id: string, formName: string): Promise<string> {
  formGuid += 1;
  return publishPackage(ctx.controlDb, incremental(id, '1.0.0', [{ ...form(1, formName), guid: guid(formGuid) }]));
}

async function fingerprintOf(index: number): Promise<unknown> {
  const knex = fleet.open(t(index));
  try {
    return await fingerprint(knex);
  } finally {
    await knex.destroy();
  }
}

async function statusWhen(id: string, predicate: (s: DeploymentStatus) => boolean): Promise<DeploymentStatus> {
  return pollUntil('deployment status', () => ctx.client.deployments.status(id), predicate, {
    timeoutMs: 60_000,
    shown: (s) => ({ phase: s.phase, waves: s.waves }),
  });
}

const byTenant = async (id: string) =>
  new Map((await new DeploymentStore(ctx.controlDb).tenants(id)).map((row) => [row.tenant, row]));

describe('waves and order', () => {
  it('a pilot by tag, then waves by size; a dependent waits for its dependency, and is skipped when it failed', async () => {
    await conflictOn(8, 'Order Form');
    const packageSha256 = await packageWithForm('wave-order', 'Order Form');
    const id = await ctx.client.deployments.start({
      packageSha256,
      tenants: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(t),
      waves: { pilot: { tag: 'pilot' }, size: 4, soakSeconds: 1, failureThresholdPercent: 50 },
      concurrency: 4,
      submitter: 'rita',
    });
    const result = await ctx.client.deployments.result(id);
    expect(result.counts).toMatchObject({ total: 10, succeeded: 8, failed: 1, skipped: 1 });

    // t3 was in wave 1 by size but depends on t7 (wave 2), so it moved there, after t7.
    const { waves } = await ctx.client.deployments.status(id);
    expect(waves).toEqual([
      { name: 'pilot', total: 2, succeeded: 2, failed: 0, skipped: 0, state: 'done' },
      { name: 'wave 1', total: 3, succeeded: 3, failed: 0, skipped: 0, state: 'done' },
      { name: 'wave 2', total: 5, succeeded: 3, failed: 1, skipped: 1, state: 'done' },
    ]);
    const rows = await byTenant(id);
    expect(rows.get(t(9))).toMatchObject({
      status: 'skipped',
      reason: `depends on ${t(8)}, which failed in this deployment`,
    });
    const applied = new Map(
      (await ctx.controlDb('patch_log').where({ package_id: 'wave-order' })).map(
        (r: { instance_key: string; applied_at: string }) => [r.instance_key.split('/')[0], r.applied_at],
      ),
    );
    for (const [dependent, dependency] of [
      [3, 7],
      [5, 4],
    ])
      expect(applied.get(t(dependent))! > applied.get(t(dependency))!).toBe(true);
    // Every wave of a waved deployment backs its tenants up first, for a back-out.
    expect(rows.get(t(0))).toMatchObject({ status: 'succeeded', backupId: expect.any(Number) });
  });

  it('a dependency that had the package before counts as done: its dependent is deployed, not skipped', async () => {
    const packageSha256 = await packageWithForm('wave-again', 'Again Form');
    const first = await ctx.client.deployments.start({ packageSha256, tenants: [t(4)], submitter: 'rita' });
    expect((await ctx.client.deployments.result(first)).counts).toMatchObject({ succeeded: 1 });
    const again = await ctx.client.deployments.start({ packageSha256, tenants: [t(5), t(4)], submitter: 'rita' });
    expect((await ctx.client.deployments.result(again)).counts).toMatchObject({ succeeded: 1, skipped: 1 });
    const rows = await byTenant(again);
    expect(rows.get(t(4))).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('already has wave-again'),
    });
    expect(rows.get(t(5))).toMatchObject({ status: 'succeeded' });
  });

  it('refuses a dependency cycle at start, naming it, before anything runs', async () => {
    const packageSha256 = await packageWithForm('wave-cycle', 'Cycle Form');
    const id = await ctx.client.deployments.start({ packageSha256, tenants: [t(0), t(10), t(11)], submitter: 'rita' });
    const refused = await rejectionOf(ctx.client.deployments.result(id), DeploymentError);
    expect(refused.type).toBe('DependencyCycle');
    expect(refused.message).toContain(`${t(10)} → ${t(11)} → ${t(10)}`);
    expect(await ctx.controlDb('patch_log').where({ package_id: 'wave-cycle' })).toEqual([]);
  });
});

describe('a wave past its failure threshold halts the deployment', () => {
  it('back-out restores the wave from the deployment backups, verified by fingerprint; the rest is not deployed', async () => {
    await conflictOn(4, 'Backout Form');
    const packageSha256 = await packageWithForm('wave-backout', 'Backout Form');
    const before = new Map(await Promise.all([1, 2].map(async (i) => [i, await fingerprintOf(i)] as const)));
    const id = await ctx.client.deployments.start({
      packageSha256,
      tenants: [0, 1, 2, 4, 6, 7, 8].map(t),
      waves: { pilot: { tenants: [t(0)] }, size: 3 },
      concurrency: 1,
      submitter: 'rita',
    });
    const halted = await statusWhen(id, (s) => s.phase === 'needs-resolution');
    expect(halted.waves!.map((w) => w.state)).toEqual(['done', 'halted', 'pending']);
    expect(halted.waves![1]).toMatchObject({ name: 'wave 1', succeeded: 2, failed: 1 });
    expect(await fingerprintOf(1)).not.toEqual(before.get(1));

    expect(await ctx.client.deployments.resolve(id, { action: 'back-out', user: 'rita', reason: 'conflicts' })).toBe(
      'needs-resolution',
    );
    const result = await ctx.client.deployments.result(id);
    expect(result.backedOut).toEqual({
      wave: 'wave 1',
      user: 'rita',
      reason: 'conflicts',
      restored: [t(1), t(2)],
      failed: [],
    });
    for (const i of [1, 2]) expect(await fingerprintOf(i)).toEqual(before.get(i));
    const patchLog = new PatchLogStore(ctx.controlDb);
    const packagesOf = async (i: number) =>
      (await patchLog.listForInstance(`${t(i)}/production`)).map((e) => e.packageId);
    expect(await packagesOf(0)).toContain('wave-backout');
    for (const i of [1, 2]) expect(await packagesOf(i)).not.toContain('wave-backout');
    const rows = await byTenant(id);
    expect([1, 2].map((i) => rows.get(t(i))!.status)).toEqual(['backed-out', 'backed-out']);
    for (const i of [6, 7, 8])
      expect(rows.get(t(i))).toMatchObject({ status: 'skipped', reason: expect.stringContaining('wave 1 backed out') });
    expect((await ctx.client.deployments.status(id)).phase).toBe('backed-out');
  });

  it('resume accepts the wave and goes on to the gate; a resolution while not halted is refused, naming the phase', async () => {
    await conflictOn(1, 'Resume Form');
    const packageSha256 = await packageWithForm('wave-resume', 'Resume Form');
    const id = await ctx.client.deployments.start({
      packageSha256,
      tenants: [0, 1, 2, 6].map(t),
      waves: { pilot: { tag: 'pilot' }, size: 2, gate: { approvers: ['alice'] } },
      concurrency: 2,
      submitter: 'rita',
    });
    await statusWhen(id, (s) => s.phase === 'needs-resolution');
    await ctx.client.deployments.resolve(id, { action: 'resume', user: 'rita', reason: 'known conflict on t1' });
    await statusWhen(id, (s) => s.phase === 'waiting-for-approval');
    const refused = await rejectionOf(
      ctx.client.deployments.resolve(id, { action: 'cancel', user: 'rita', reason: 'too late' }),
      RefusedError,
    );
    expect(refused.message).toContain(`deployment ${id} is not halted (it is waiting-for-approval)`);
    expect((await byTenant(id)).get(t(2))).toBeUndefined();

    await ctx.client.approvals.decide(id, 'approve', { gate: 'wave-1', user: 'alice' });
    const result = await ctx.client.deployments.result(id);
    expect(result.counts).toMatchObject({ total: 4, succeeded: 3, failed: 1, skipped: 0 });
    expect((await ctx.client.deployments.status(id)).waves!.map((w) => w.state)).toEqual(['done', 'done']);
  });
});
