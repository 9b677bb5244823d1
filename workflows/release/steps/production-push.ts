import { describePackageRef } from '../../../domain/packages/package-types';
import { waitForMaintenanceWindow } from '../../windows/wait-for-maintenance-window';
import { deployPackagesStep, isCancelled, long, quick, setFlag, type ReleaseContext } from '../release-context';
import { describeFailure } from '../../shared/failures';

export type ProductionPushOutcome = 'applied' | 'rolled-back';

/**
 * Step 6: wait for a maintenance window outside freezes; run the clean-up scripts; back up
 * production; unlock its metadata for the push; apply; verify. If anything fails after the
 * backup: restore it and verify production's fingerprints equal the backup's (its pre-push
 * state), then report `rolled-back` so the release returns to step 4.
 */
export async function productionPush(
  ctx: ReleaseContext,
  attempt: number,
  options: { maintenanceWindow: boolean },
): Promise<ProductionPushOutcome> {
  ctx.state.enterPhase('production-push', attempt > 1 ? `attempt ${attempt}` : undefined);
  const production = ctx.instance('production');
  if (options.maintenanceWindow) {
    ctx.state.waitFor(
      'maintenance-window',
      `**Release ${ctx.input.tenant} ${ctx.input.version}** waits for a maintenance window of ${ctx.input.tenant} outside freezes.`,
    );
    await waitForMaintenanceWindow(
      {
        tenant: ctx.input.tenant,
        windows: ctx.settings.maintenanceWindows,
        freezes: ctx.settings.freezes,
        admins: ctx.settings.freezeAdmins,
      },
      ctx.trail,
    );
    ctx.state.waitFor(undefined);
  }
  const cleanup = await quick.runCleanupScripts.executeWithOptions(
    { summary: 'production-push: clean-up scripts on production' },
    [{ instance: production }],
  );
  ctx.trail.record('cleanup-scripts-run', undefined, { instance: 'production', scripts: cleanup.scripts });
  const purpose = `production-push-${attempt}`;
  const backup = await long.backupDatabase.executeWithOptions(
    { summary: `${purpose}: back up production before the push` },
    [{ instance: production, workflowId: ctx.childId(purpose) }],
  );
  ctx.state.recordBackup({
    purpose,
    instance: 'production',
    backupId: backup.backupId,
    path: backup.path,
    sha256: backup.sha256,
    at: new Date().toISOString(),
  });
  ctx.trail.record('backup-taken', undefined, { purpose, backupId: backup.backupId, path: backup.path });
  const packages = ctx.state.status.packages.map(describePackageRef);
  try {
    await setFlag(ctx, 'production', 'metadataLocked', false, purpose);
    await deployPackagesStep(ctx, purpose, 'production', backup.backupId);
    await quick.verifyPackagesApplied.executeWithOptions(
      { summary: `${purpose}: verify production carries the package(s)` },
      [{ target: production, packages: ctx.state.status.packages }],
    );
  } catch (error) {
    if (isCancelled(error)) throw error;
    const message = describeFailure(error);
    ctx.state.recordProblem(`push ${attempt} to production failed and was rolled back: ${message}`);
    ctx.trail.record('push-failed', undefined, { target: 'production', attempt, packages, error: message });
    await rollback(ctx, backup.backupId, purpose);
    ctx.state.recordPush({ target: 'production', attempt, packages, outcome: 'rolled-back', error: message });
    return 'rolled-back';
  }
  ctx.state.recordPush({ target: 'production', attempt, packages, outcome: 'applied' });
  ctx.trail.record('push-applied', undefined, { target: 'production', attempt, packages });
  return 'applied';
}

async function rollback(ctx: ReleaseContext, backupId: number, purpose: string): Promise<void> {
  const production = ctx.instance('production');
  await long.restoreOwnBackup.executeWithOptions(
    { summary: `${purpose}: roll back production from backup ${backupId}` },
    [{ backupId, instance: production, workflowId: ctx.state.status.releaseId }],
  );
  // The backup was taken with production's metadata locked: the restore brings the lock back.
  const verified = await long.verifyRestoredDatabase.executeWithOptions(
    { summary: `${purpose}: production equals its pre-push state` },
    [{ backupId, target: production }],
  );
  ctx.trail.record('rolled-back', undefined, {
    instance: 'production',
    backupId,
    tables: verified.tables,
    rows: verified.rows,
  });
}
