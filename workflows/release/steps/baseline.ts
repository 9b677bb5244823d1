import { copyDatabaseStep, setFlag, type ReleaseContext } from '../release-context';

/**
 * Step 1 (docs/releases.md "Baseline"): production copied in full to staging with the chosen backup type, the
 * post-restore fix-ups and the shrink (copyDatabase), then production's metadata locked until
 * the push of step 6. Staging comes over with production's flags; it is where people configure,
 * so it is unlocked.
 */
export async function baseline(ctx: ReleaseContext): Promise<void> {
  ctx.state.enterPhase('baseline', `copy production to staging (${ctx.settings.backupType} backup)`);
  await copyDatabaseStep(ctx, 'baseline', {
    tenant: ctx.input.tenant,
    source: 'production',
    target: 'staging',
    backupType: ctx.settings.backupType,
    fileName: ctx.input.backupFileName,
  });
  await setFlag(ctx, 'production', 'metadataLocked', true, 'baseline');
  await setFlag(ctx, 'staging', 'metadataLocked', false, 'baseline');
}
