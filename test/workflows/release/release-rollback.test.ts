import { describe, expect, it } from 'vitest';
import { correctedPackageSignal, type ReleaseStatus } from '../../../contracts/releases';
import { BackupCatalog } from '../../../store/backup-catalog';
import { PatchLogStore } from '../../../store/patch-log-store';
import * as release from '../../support/release/release-helpers';

// docs/releases.md "Production push", if it fails: a package that passed UAT fails on production (production's
// data changed since UAT's refresh), production is restored and equals its pre-push backup, the
// release waits at step 4 for a corrected package, and the corrected package completes it.
const suite = release.useReleaseFixture('sqlite', [{ label: 'rollback' }]);

describe('production push rollback', () => {
  it('restores production to its pre-push state, waits for a corrected package at step 4, then completes', async () => {
    const { fixture, ctx } = suite;
    const tenant = fixture.tenant('rollback');
    const failing = fixture.packageFile(
      'v1.json',
      release.releasePackage('rb-config', '1.0.0', [release.uniqueSubjectIndex]),
    );
    const corrected = fixture.packageFile('v1.0.1.json', release.releasePackage('rb-config', '1.0.1'));
    const start = { tenant, version: '3.0', packages: [{ path: failing }] };
    const workflowId = await release.releaseUntilProductionPush(ctx.client, start, 'bob');
    // Production lives on: a second incident with an existing subject arrives after UAT's refresh.
    const production = fixture.open(tenant, 'production');
    await release.insertIncident(production, 'Incident 1', 'again', '2026-01-02T00:00:00Z', {
      category_id: 1,
      owner_id: 1,
    });
    const metadataBefore = await release.metadataNames(production);
    await release.approveGate(ctx.client, workflowId, 'production-push', 'carol');

    const waiting = await release.statusWhen(ctx.client, workflowId, release.waitingFor('corrected-package'));
    expect(waiting.pushes.map((p) => [p.target, p.outcome])).toEqual([
      ['uat', 'applied'],
      ['production', 'rolled-back'],
    ]);
    expect(waiting.problems.join(' ')).toContain('rb-config sequence 3 (createIndex on table incidents) failed');
    await expectRestoredToPrePushBackup(waiting, tenant, metadataBefore);
    await expectRefusedCorrectionNotTaken(workflowId, corrected, failing);

    // Back at step 4: the corrected package goes to UAT (approved again), then to production.
    await ctx.client.releases.correctedPackage(workflowId, 'sam', [{ path: corrected }], 'without the unique index');
    await release.approveGate(ctx.client, workflowId, 'uat-push', 'alice');
    await release.approveGate(ctx.client, workflowId, 'production-push', 'carol');
    await release.approveGate(ctx.client, workflowId, 'go-live', 'bob');
    const result = await ctx.client.releases.result(workflowId);
    expect(result.outcome).toBe('completed');
    expect(result.status.pushes.map((p) => [p.target, p.attempt, p.outcome])).toEqual([
      ['uat', 1, 'applied'],
      ['production', 1, 'rolled-back'],
      ['uat', 2, 'applied'],
      ['production', 2, 'applied'],
    ]);
    expect(await release.metadataNames(fixture.open(tenant, 'production'))).toEqual(
      expect.arrayContaining(['Intake Form rb-config']),
    );
    const kinds = await release.auditKinds(fixture.controlDb, workflowId);
    expect(kinds).toEqual(expect.arrayContaining(['push-failed', 'rolled-back', 'corrected-package']));
    await release.recordHistory(fixture.temporal, workflowId, 'release-rollback');
  });
});

/** Restored: equal to the backup taken right before the push, metadata as before, still locked. */
async function expectRestoredToPrePushBackup(
  waiting: ReleaseStatus,
  tenant: string,
  metadataBefore: string[],
): Promise<void> {
  const { fixture } = suite;
  const backup = waiting.backups.find((b) => b.purpose === 'production-push-1')!;
  const entry = (await new BackupCatalog(fixture.controlDb).get(backup.backupId))!;
  const ref = { tenant, landscape: 'production' as const };
  const now = await fixture.tenantDatabases.engineFor(ref).fingerprints(
    fixture.tenantDatabases.connectionFor(ref),
    entry.fingerprints.map((f) => f.table),
  );
  expect(now).toEqual(entry.fingerprints);
  const restored = fixture.open(tenant, 'production');
  expect(await release.metadataNames(restored)).toEqual(metadataBefore);
  expect(await release.flagsOf(restored)).toMatchObject({ metadataLocked: true });
  expect(await new PatchLogStore(fixture.controlDb).listForInstance(`${tenant}/production`)).toEqual([]);
}

/** What the client sends after a refused Update is recorded and never taken, though the release now waits. */
async function expectRefusedCorrectionNotTaken(workflowId: string, corrected: string, failing: string): Promise<void> {
  const { fixture, ctx } = suite;
  await fixture.temporal.workflow.getHandle(workflowId).signal(correctedPackageSignal, {
    user: 'sam',
    packages: [{ path: corrected }],
    refusedByUpdate: 'the release is not waiting for a corrected package',
  });
  await expect
    .poll(async () => release.auditKinds(fixture.controlDb, workflowId))
    .toContain('corrected-package-refused');
  expect(await ctx.client.releases.status(workflowId)).toMatchObject({
    waitingFor: 'corrected-package',
    packages: [{ path: failing }],
  });
}
