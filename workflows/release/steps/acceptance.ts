import { patched } from '@temporalio/workflow';
import { openGate, quick, type ReleaseContext } from '../release-context';

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
    ctx.state.recordProblem(problem);
    ctx.trail.record('acceptance-failed', undefined, { ...log });
    return false;
  }
  ctx.trail.record('acceptance-log-clean', undefined, { instance: log.instance });
  return true;
}
