import { executeChild, patched } from '@temporalio/workflow';
import { describePackageRef } from '../../domain/packages/package-types';
import { deployPackagesStep, isCancelled, openGate, quick, setFlag, type ReleaseContext } from './release-context';
import type { RefreshTransactionalResult, TransactionalRefreshInput } from '../../contracts/database';

/** Step 3: production's transactional data into UAT (UAT keeps its own configuration). */
export async function uatRefresh(ctx: ReleaseContext): Promise<RefreshTransactionalResult> {
  ctx.state.enterPhase('uat-refresh', 'transactional data production → UAT');
  const input: TransactionalRefreshInput = { tenant: ctx.input.tenant, source: 'production', target: 'uat' };
  return executeChild('transactionalRefresh', {
    workflowId: ctx.childId('uat-refresh'),
    args: [input],
    staticSummary: `uat-refresh: transactional data ${ctx.input.tenant} production → uat`,
  });
}

/**
 * Step 4: gate `uat-push`, then validate and apply the package(s) on UAT and lock UAT. A push
 * that fails waits for a corrected package, and the approval is asked again (seed 000 "If a
 * Step Fails"). Returns when a push succeeded; `attempt` numbers pushes across the release.
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
      ctx.state.status.pushes.push({
        target: 'uat',
        attempt,
        packages,
        at: new Date().toISOString(),
        outcome: 'failed',
        error: message,
      });
      ctx.state.status.problems.push(`push ${attempt} to UAT failed: ${message}`);
      ctx.trail.record('push-failed', undefined, { target: 'uat', attempt, packages, error: message });
      await ctx.state.correctedPackage();
      continue;
    }
    await setFlag(ctx, 'uat', 'metadataLocked', true, `uat-push ${attempt}`);
    ctx.state.status.pushes.push({
      target: 'uat',
      attempt,
      packages,
      at: new Date().toISOString(),
      outcome: 'applied',
    });
    ctx.trail.record('push-applied', undefined, { target: 'uat', attempt, packages });
    return { attempt, pushedAt: new Date().toISOString() };
  }
}

/**
 * Step 5: gate `production-push`; once approved, UAT's log must be free of configuration errors
 * since the push. Returns false when the log blocks acceptance (back to step 4).
 */
export async function acceptance(ctx: ReleaseContext, pushedAt: string): Promise<boolean> {
  ctx.state.enterPhase('acceptance');
  if (!patched(ACCEPTANCE_LOG_AFTER_GATE)) {
    if (!(await acceptanceLogClean(ctx, pushedAt))) return false;
    await openGate(ctx, 'production-push');
    return true;
  }
  // Testers fill the log during acceptance, so it is read once they approved, not right after the push.
  await openGate(ctx, 'production-push');
  return acceptanceLogClean(ctx, pushedAt);
}

/** Releases started before it read the log right after the push, before anyone had tested UAT. */
const ACCEPTANCE_LOG_AFTER_GATE = 'acceptance-log-after-gate';

async function acceptanceLogClean(ctx: ReleaseContext, pushedAt: string): Promise<boolean> {
  const log = await quick.checkAcceptanceLog.executeWithOptions(
    { summary: 'acceptance: configuration errors in UAT app_log since the push' },
    [{ instance: ctx.instance('uat'), since: pushedAt }],
  );
  if (log.configurationErrors > 0) {
    const problem = `UAT logged ${log.configurationErrors} configuration error(s) since the push: ${log.samples.join(' | ')}`;
    ctx.state.status.problems.push(problem);
    ctx.trail.record('acceptance-failed', undefined, { ...log });
    return false;
  }
  ctx.trail.record('acceptance-log-clean', undefined, { instance: log.instance });
  return true;
}

/** The message a person needs: the root application failure's, not the wrappers'. */
export function describeFailure(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  let message = current?.message ?? String(error);
  while (current?.cause) {
    current = current.cause as { message?: string; cause?: unknown };
    if (current.message) message = current.message;
  }
  return message;
}
