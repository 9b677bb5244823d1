import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../../store/audit-store';
import { BackupCatalog } from '../../../store/backup-catalog';
import { PatchLogStore } from '../../../store/patch-log-store';
import { useReleaseFixture } from '../../support/release/release-fixture';
import {
  approveGate,
  flagsOf,
  metadataNames,
  recordHistory,
  releasePackage,
  statusWhen,
  uniqueSubjectIndex,
  waitingFor,
} from '../../support/release/release-helpers';
import { correctedPackageSignal } from '../../../contracts/releases';

// docs/releases.md "Production push", if it fails: a package that passed UAT fails on production (production's
// data changed since UAT's refresh), production is restored and equals its pre-push backup, the
// release waits at step 4 for a corrected package, and the corrected package completes it.
const suite = useReleaseFixture('sqlite', [{ label: 'rollback' }]);

describe('production push rollback', () => {
  it('restores production to its pre-push state, waits for a corrected package at step 4, then completes', async () => {
    const { fixture, ctx } = suite;
    const tenant = fixture.tenant('rollback');
    const failing = fixture.packageFile('v1.json', releasePackage('rb-config', '1.0.0', [uniqueSubjectIndex]));
    const corrected = fixture.packageFile('v1.0.1.json', releasePackage('rb-config', '1.0.1'));
    const { workflowId } = await ctx.client.releases.start({
      tenant,
      version: '3.0',
      startedBy: 'rita',
      packages: [{ path: failing }],
    });

    await approveGate(ctx.client, workflowId, 'uat-push', 'bob');
    await statusWhen(ctx.client, workflowId, waitingFor('gate:production-push'));
    // Production lives on: a second incident with an existing subject arrives after UAT's refresh.
    const production = fixture.open(tenant, 'production');
    await production('incidents').insert({
      subject: 'Incident 1',
      description: 'again',
      status: 'Logged',
      priority: 1,
      category_id: 1,
      owner_id: 1,
      created_at: '2026-01-02T00:00:00Z',
    });
    const metadataBefore = await metadataNames(production);
    await approveGate(ctx.client, workflowId, 'production-push', 'carol');

    const waiting = await statusWhen(ctx.client, workflowId, waitingFor('corrected-package'));
    expect(waiting.pushes.map((p) => [p.target, p.outcome])).toEqual([
      ['uat', 'applied'],
      ['production', 'rolled-back'],
    ]);
    expect(waiting.problems.join(' ')).toContain('rb-config sequence 3 (createIndex on table incidents) failed');
    // Restored: equal to the backup taken right before the push, metadata as before, still locked.
    const backup = waiting.backups.find((b) => b.purpose === 'production-push-1')!;
    const entry = (await new BackupCatalog(fixture.controlDb).get(backup.backupId))!;
    const ref = { tenant, landscape: 'production' as const };
    const now = await fixture.tenantDatabases.engineFor(ref).fingerprints(
      fixture.tenantDatabases.connectionFor(ref),
      entry.fingerprints.map((f) => f.table),
    );
    expect(now).toEqual(entry.fingerprints);
    const restored = fixture.open(tenant, 'production');
    expect(await metadataNames(restored)).toEqual(metadataBefore);
    expect(await flagsOf(restored)).toMatchObject({ metadataLocked: true });
    expect(await new PatchLogStore(fixture.controlDb).listForInstance(`${tenant}/production`)).toEqual([]);

    // What the client sends after a refused Update is recorded and never taken, though the release now waits.
    await fixture.temporal.workflow.getHandle(workflowId).signal(correctedPackageSignal, {
      user: 'sam',
      packages: [{ path: corrected }],
      refusedByUpdate: 'the release is not waiting for a corrected package',
    });
    await expect
      .poll(async () => (await new AuditStore(fixture.controlDb).listForWorkflow(workflowId)).map((e) => e.kind))
      .toContain('corrected-package-refused');
    expect(await ctx.client.releases.status(workflowId)).toMatchObject({
      waitingFor: 'corrected-package',
      packages: [{ path: failing }],
    });

    // Back at step 4: the corrected package goes to UAT (approved again), then to production.
    await ctx.client.releases.correctedPackage(workflowId, 'sam', [{ path: corrected }], 'without the unique index');
    await approveGate(ctx.client, workflowId, 'uat-push', 'alice');
    await approveGate(ctx.client, workflowId, 'production-push', 'carol');
    await approveGate(ctx.client, workflowId, 'go-live', 'bob');
    const result = await ctx.client.releases.result(workflowId);
    expect(result.outcome).toBe('completed');
    expect(result.status.pushes.map((p) => [p.target, p.attempt, p.outcome])).toEqual([
      ['uat', 1, 'applied'],
      ['production', 1, 'rolled-back'],
      ['uat', 2, 'applied'],
      ['production', 2, 'applied'],
    ]);
    expect(await metadataNames(fixture.open(tenant, 'production'))).toEqual(
      expect.arrayContaining(['Intake Form rb-config']),
    );
    const kinds = (await new AuditStore(fixture.controlDb).listForWorkflow(workflowId)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['push-failed', 'rolled-back', 'corrected-package']));
    await recordHistory(fixture.temporal, workflowId, 'release-rollback');
  });
});
