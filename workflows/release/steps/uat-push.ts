import { describePackageRef } from '../../../domain/packages/package-types';
import { deployPackagesStep, isCancelled, openGate, setFlag, type ReleaseContext } from '../release-context';
import { describeFailure } from '../../shared/failures';

/**
 * Step 4: gate `uat-push`, then validate and apply the package(s) on UAT and lock UAT. A push
 * that fails waits for a corrected package, and the approval is asked again (docs/releases.md
 * "Failure handling"). Returns when a push succeeded; `attempt` numbers pushes across the release.
 */
export async function pushToUat(
  ctx: ReleaseContext,
  firstAttempt: number,
): Promise<{ attempt: number; pushedAt: string }> {
  for (let attempt = firstAttempt; ; attempt++) {
    ctx.state.enterPhase('uat-push', attempt > 1 ? `attempt ${attempt}` : undefined);
    await openGate(ctx, 'uat-push');
    const packages = ctx.state.status.packages.map(describePackageRef);
    try {
      // The release's own push goes through even where an earlier attempt locked UAT.
      await setFlag(ctx, 'uat', 'metadataLocked', false, `uat-push ${attempt}`);
      await deployPackagesStep(ctx, `uat-push-${attempt}`, 'uat');
    } catch (error) {
      if (isCancelled(error)) throw error;
      const message = describeFailure(error);
      ctx.state.recordPush({ target: 'uat', attempt, packages, outcome: 'failed', error: message });
      ctx.state.recordProblem(`push ${attempt} to UAT failed: ${message}`);
      ctx.trail.record('push-failed', undefined, { target: 'uat', attempt, packages, error: message });
      await ctx.state.correctedPackage();
      continue;
    }
    await setFlag(ctx, 'uat', 'metadataLocked', true, `uat-push ${attempt}`);
    ctx.state.recordPush({ target: 'uat', attempt, packages, outcome: 'applied' });
    ctx.trail.record('push-applied', undefined, { target: 'uat', attempt, packages });
    return { attempt, pushedAt: new Date().toISOString() };
  }
}
