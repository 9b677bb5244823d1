import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';
import { copyDatabaseStep, openGate, setFlag, type ReleaseContext } from '../release-context';

/**
 * Afterwards (docs/releases.md "Afterwards"): gate `go-live`; UAT into maintenance mode; production locked; the
 * production configuration copied to staging (a full copy with fix-ups: staging arrives
 * locked, as production is); then staging unlocked for testing and debugging.
 */
export async function afterwards(ctx: ReleaseContext): Promise<void> {
  ctx.state.enterPhase('afterwards');
  await openGate(ctx, 'go-live');
  if (ctx.state.status.variant === 'standard') await setFlag(ctx, 'uat', 'maintenanceMode', true, 'afterwards');
  await setFlag(ctx, 'production', 'metadataLocked', true, 'afterwards');
  await refreshStagingFromProduction(ctx, 'afterwards');
}

export async function refreshStagingFromProduction(ctx: ReleaseContext, step: string): Promise<void> {
  await copyDatabaseStep(ctx, step, {
    tenant: ctx.input.tenant,
    source: 'production',
    target: 'staging',
    backupType: 'live',
  });
  await setFlag(ctx, 'staging', 'metadataLocked', false, step);
}

/**
 * Initial provisioning (docs/releases.md "Initial provisioning"): production is locked on the go-live confirmation, or
 * automatically `autoLockAfterGoLive` (10 days) after the go-live date when nobody confirms.
 * Whichever comes first wins; the other is cancelled.
 */
export async function goLiveOrAutoLock(ctx: ReleaseContext): Promise<'confirmed' | 'auto-locked'> {
  ctx.state.enterPhase('afterwards', 'go-live confirmation or automatic lock');
  const lockAt = Date.parse(ctx.input.goLiveDate!) + ctx.settings.autoLockAfterGoLiveSeconds * 1000;
  const gateScope = new CancellationScope();
  const timerScope = new CancellationScope();
  const confirmed = gateScope.run(() => openGate(ctx, 'go-live')).then(() => 'confirmed' as const);
  const timedOut = timerScope
    .run(() =>
      sleep(Math.max(1, lockAt - Date.now()), {
        summary: `lock production automatically at ${new Date(lockAt).toISOString()}`,
      }),
    )
    .then(() => 'auto-locked' as const);
  // The loser rejects with a cancellation later; mark both handled so that is no unhandled rejection.
  confirmed.catch(() => undefined);
  timedOut.catch(() => undefined);
  const winner = await Promise.race([confirmed, timedOut]).finally(() => {
    gateScope.cancel();
    timerScope.cancel();
  });
  // The loser ends in a cancellation; anything else it threw is real.
  await Promise.allSettled([confirmed, timedOut]).then((results) =>
    results.forEach((r) => {
      if (r.status === 'rejected' && !isCancellation(r.reason)) throw r.reason;
    }),
  );
  const gate = ctx.gates.current();
  if (winner === 'auto-locked' && gate?.phase === 'waiting') gate.phase = 'cancelled';
  ctx.state.waitFor(undefined);
  ctx.trail.record(winner === 'confirmed' ? 'go-live-confirmed' : 'go-live-auto-lock', undefined, {
    lockAt: new Date(lockAt).toISOString(),
  });
  await setFlag(ctx, 'production', 'metadataLocked', true, winner);
  return winner;
}
