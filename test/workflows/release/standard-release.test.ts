import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { DecisionRefusedError } from '../../../client';
import type { ReleaseStatus } from '../../../contracts/releases';
import { BackupCatalog } from '../../../store/backup-catalog';
import { DeploymentStore } from '../../../store/deployment-store';
import { PatchLogStore } from '../../../store/patch-log-store';
import { publishPackage } from '../../support/deployments/tenant-fleet';
import { form, guid, incremental } from '../../support/packages/package-builders';
import * as release from '../../support/release/release-helpers';

// A whole standard release (docs/releases.md "Steps", 1–7) on three real PostgreSQL databases, every
// decision and signal sent through the client library.
const suite = release.useReleaseFixture('postgres', [{ label: 'full' }]);

/** The tenant's instances as opened before the release started. */
interface Instances {
  production: Knex;
  staging: Knex;
  uat: Knex;
}

describe('standard release on PostgreSQL', () => {
  it('runs production → staging → UAT → production: package live, staging refreshed, UAT in maintenance, flags and audit as the seed says', async () => {
    const { fixture, ctx } = suite;
    const tenant = fixture.tenant('full');
    const production = fixture.open(tenant, 'production');
    const staging = fixture.open(tenant, 'staging');
    const uat = fixture.open(tenant, 'uat');
    const instances = { production, staging, uat };
    const productionIncidents = await production('incidents').count({ n: '*' });
    const pkg = fixture.packageFile('release.json', release.releasePackage('full-config', '2.0.0'));

    const { workflowId } = await ctx.client.releases.start({ tenant, version: '2.0', startedBy: 'rita' });
    expect(workflowId).toBe(`release/${tenant}/2.0`);
    await configureOnFreshStaging(workflowId, instances, productionIncidents, pkg);
    await approveUatPushOnRefreshedUat(workflowId, instances, productionIncidents);
    await expectPushedWhenGoLiveWaits(workflowId, instances);
    await release.approveGate(ctx.client, workflowId, 'go-live', 'bob');

    const result = await ctx.client.releases.result(workflowId);
    expect(result.outcome).toBe('completed');
    expectStandardReleaseStatus(result.status);
    await expectInstancesAfterRelease(tenant, production);
    await expectPatchLogAndBackupCatalog(tenant);
    await expectStandardAuditStory(workflowId);
    await release.recordHistory(fixture.temporal, workflowId, 'release-standard');
  });

  it('then deploys a package to its (locked) production: the deployment backs production up, catalogs it and applies', async () => {
    // Runs on the tenant the release above completed: production's metadata is locked (docs/releases.md step 7).
    const { fixture, ctx } = suite;
    const tenant = fixture.tenant('full');
    expect(await release.flagsOf(fixture.open(tenant, 'production'))).toMatchObject({ metadataLocked: true });
    const packageSha256 = await publishPackage(
      fixture.controlDb,
      incremental('after-release', '1.0.0', [{ ...form(1, 'After Release Form'), guid: guid(0x6001) }]),
    );
    const deploymentId = await ctx.client.deployments.start({ packageSha256, tenants: [tenant], submitter: 'rita' });
    const result = await ctx.client.deployments.result(deploymentId);
    expect(result.counts).toMatchObject({ succeeded: 1, failed: 0, skipped: 0 });
    await expectDeploymentBackedUpAndApplied(deploymentId, tenant);
  });
});

/** Step 1 done, step 2 waits: production locked, staging a fresh copy of production. */
async function configureOnFreshStaging(
  workflowId: string,
  { production, staging }: Instances,
  productionIncidents: unknown,
  pkg: string,
): Promise<void> {
  const { ctx } = suite;
  await release.statusWhen(ctx.client, workflowId, release.waitingFor('configuration'));
  expect(await release.flagsOf(production)).toMatchObject({ metadataLocked: true });
  expect(await staging('incidents').count({ n: '*' })).toEqual(productionIncidents);
  await ctx.client.releases.registerChange(workflowId, {
    user: 'sam',
    description: 'new intake form',
    reference: 'SR-1',
  });
  await ctx.client.releases.registerChange(workflowId, { user: 'sam', description: 'review form' });
  await ctx.client.releases.configurationReady(workflowId, 'sam', [{ path: pkg }]);
}

/** Step 3 refreshed UAT's transactional data; step 4's gate: the starter may not approve. */
async function approveUatPushOnRefreshedUat(
  workflowId: string,
  { uat }: Instances,
  productionIncidents: unknown,
): Promise<void> {
  const { ctx } = suite;
  await release.statusWhen(ctx.client, workflowId, release.waitingFor('gate:uat-push'));
  expect(await uat('incidents').count({ n: '*' })).toEqual(productionIncidents);
  await expect(
    ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'rita' }),
  ).rejects.toBeInstanceOf(DecisionRefusedError);
  await release.approveGate(ctx.client, workflowId, 'uat-push', 'alice');
}

/** Step 5: the role member approves the production push; steps 6 and 7 follow. */
async function expectPushedWhenGoLiveWaits(workflowId: string, { production, uat }: Instances): Promise<void> {
  const { ctx } = suite;
  await release.approveGate(ctx.client, workflowId, 'production-push', 'carol');
  const atGoLive = await release.statusWhen(ctx.client, workflowId, release.waitingFor('gate:go-live'));
  expect(await release.metadataNames(production)).toContain('Intake Form full-config');
  expect(await release.flagsOf(uat)).toMatchObject({ metadataLocked: true });
  expect(atGoLive.pushes.map((p) => [p.target, p.outcome])).toEqual([
    ['uat', 'applied'],
    ['production', 'applied'],
  ]);
}

function expectStandardReleaseStatus(status: ReleaseStatus): void {
  expect(status.timeline.map((t) => t.phase)).toEqual([
    'starting',
    'baseline',
    'configure',
    'uat-refresh',
    'uat-push',
    'acceptance',
    'production-push',
    'afterwards',
    'completed',
  ]);
  expect(status.changeRegister.map((c) => c.description)).toEqual(['new intake form', 'review form']);
  expect(status.backups.map((b) => [b.purpose, b.instance])).toEqual([
    ['baseline', 'production'],
    ['production-push-1', 'production'],
    ['afterwards', 'production'],
  ]);
  expect(status.gates.map((g) => [g.definition.name, g.phase])).toEqual([
    ['uat-push', 'approved'],
    ['production-push', 'approved'],
    ['go-live', 'approved'],
  ]);
}

/** Production carries the package; staging was refreshed from it; flags as docs/releases.md says. */
async function expectInstancesAfterRelease(tenant: string, production: Knex): Promise<void> {
  const { fixture } = suite;
  const productionMetadata = await release.metadataNames(production);
  expect(productionMetadata).toEqual(expect.arrayContaining(['Intake Form full-config', 'Review Form full-config']));
  const freshStaging = fixture.open(tenant, 'staging');
  expect(await release.metadataNames(freshStaging)).toEqual(productionMetadata);
  expect(await freshStaging('applied_packages').pluck('package_id')).toEqual(['full-config']);
  expect(await release.flagsOf(production)).toEqual({ metadataLocked: true, maintenanceMode: false });
  expect(await release.flagsOf(fixture.open(tenant, 'uat'))).toEqual({ metadataLocked: true, maintenanceMode: true });
  expect(await release.flagsOf(freshStaging)).toEqual({ metadataLocked: false, maintenanceMode: false });
}

/** Each push once in the patch log, each backup once in the catalog. */
async function expectPatchLogAndBackupCatalog(tenant: string): Promise<void> {
  const { fixture } = suite;
  const patchLog = new PatchLogStore(fixture.controlDb);
  expect((await patchLog.listForInstance(`${tenant}/uat`)).map((e) => e.packageId)).toEqual(['full-config']);
  expect((await patchLog.listForInstance(`${tenant}/production`)).map((e) => e.packageId)).toEqual(['full-config']);
  const productionBackups = await new BackupCatalog(fixture.controlDb).listFor(tenant, 'production');
  // Three backups of production (baseline, pre-push, afterwards); two copied to staging's location.
  expect(productionBackups.filter((b) => b.copiedFromId === undefined || b.copiedFromId === null)).toHaveLength(3);
  expect(productionBackups.filter((b) => b.copiedFromId)).toHaveLength(2);
}

/** The audit table tells the story in order. */
async function expectStandardAuditStory(workflowId: string): Promise<void> {
  release.expectStoryInOrder(await release.auditKinds(suite.fixture.controlDb, workflowId), [
    'release-started',
    'phase-entered',
    'change-registered',
    'configuration-ready',
    'gate-opened',
    'decision-refused',
    'decision-approve',
    'gate-approved',
    'push-applied',
    'acceptance-log-clean',
    'maintenance-window-open',
    'cleanup-scripts-run',
    'backup-taken',
    'push-applied',
    'gate-approved',
    'instance-flag-set',
  ]);
}

async function expectDeploymentBackedUpAndApplied(deploymentId: string, tenant: string): Promise<void> {
  const { fixture } = suite;
  const [row] = await new DeploymentStore(fixture.controlDb).tenants(deploymentId);
  expect(row).toMatchObject({ tenant, status: 'succeeded', backupId: expect.any(Number) });
  expect(await new BackupCatalog(fixture.controlDb).get(row.backupId!)).toMatchObject({
    tenant,
    landscape: 'production',
    workflowId: deploymentId,
  });
  expect(await release.metadataNames(fixture.open(tenant, 'production'))).toContain('After Release Form');
  const patchLog = new PatchLogStore(fixture.controlDb);
  expect((await patchLog.listForInstance(`${tenant}/production`)).map((e) => e.packageId)).toEqual([
    'full-config',
    'after-release',
  ]);
}
