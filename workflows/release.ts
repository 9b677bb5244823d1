import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Landscape } from '../domain/landscapes';
import { landscapesOf, releaseInputProblems } from '../domain/releases';
import { SEARCH_ATTRIBUTES } from '../contracts/temporal-names';
import { type AuditTrail, createAuditTrail } from './audit-trail';
import { createGateKeeper } from './gates/gate-keeper';
import { withInstanceLock } from './locks/with-instance-lock';
import { createReleaseState } from './release/release-state';
import { quick, ReleaseCancelledByGate, releaseChildId, type ReleaseContext } from './release/release-context';
import { createSaga } from './release/saga';
import { acceptance } from './release/steps/acceptance';
import { afterwards, goLiveOrAutoLock } from './release/steps/afterwards';
import { baseline } from './release/steps/baseline';
import { configure } from './release/steps/configure';
import { productionPush } from './release/steps/production-push';
import { provision } from './release/steps/provisioning';
import { uatRefresh } from './release/steps/uat-refresh';
import { pushToUat } from './release/steps/uat-push';
import { describeFailure } from './shared/failures';
import {
  cancelReleaseUpdate,
  type CancelReleaseRequest,
  type ReleaseInput,
  type ReleaseResult,
} from '../contracts/releases';

/**
 * One tenant release (docs/releases.md), id `release/<tenant>/<version>`.
 * It holds the locks of every instance it changes for its whole life (production and staging,
 * and UAT in a standard release), so two releases of a tenant, or a release and a scheduled
 * staging refresh, never interleave. Cancelled or failed, it undoes its flag changes (saga).
 */
export async function release(input: ReleaseInput): Promise<ReleaseResult> {
  const subject = `release ${input.tenant} ${input.version}`;
  const trail = createAuditTrail(subject);
  // The gate keeper keeps this array: release managers from the settings are added to it later.
  const managers: string[] = [input.startedBy];
  const gates = createGateKeeper({ subject, requestedBy: input.startedBy, releaseManagers: managers, trail });
  const state = createReleaseState(input, trail, gates, () => managers);
  // The steps run in a scope of their own so a release manager's `cancel-release` can stop them, named;
  // cancelling the workflow itself (the Web UI's button) still works and names nobody.
  const work = new CancellationScope();
  const cancel = handleCancelRequests({ subject, managers, trail, state, work });
  try {
    const problems = releaseInputProblems(input);
    if (problems.length > 0)
      throw ApplicationFailure.create({
        type: 'InvalidReleaseInput',
        message: `${subject}: ${problems.join('; ')}`,
        nonRetryable: true,
      });
    upsertSearchAttributes({
      [SEARCH_ATTRIBUTES.tenant]: [input.tenant],
      [SEARCH_ATTRIBUTES.version]: [input.version],
      [SEARCH_ATTRIBUTES.phase]: ['starting'],
    });
    trail.record('release-started', input.startedBy, { variant: state.status.variant, packages: input.packages });
    const settings = await quick.resolveReleaseSettings({
      tenant: input.tenant,
      version: input.version,
      startedBy: input.startedBy,
      variant: state.status.variant,
      overrides: input.settings,
    });
    managers.push(...settings.releaseManagers.filter((m) => !managers.includes(m)));
    const ctx: ReleaseContext = {
      input,
      settings,
      state,
      gates,
      trail,
      saga: createSaga(),
      instance: (landscape) => ({ tenant: input.tenant, landscape }),
      childId: releaseChildId,
    };
    await work.run(() =>
      holdingLocks(ctx, landscapesOf(state.status.variant), async () => {
        try {
          await runSteps(ctx);
        } catch (error) {
          await ctx.saga.compensate(trail);
          throw error;
        }
      }),
    );
    state.finish('completed');
    return { outcome: 'completed', status: state.snapshot() };
  } catch (error) {
    if (error instanceof ReleaseCancelledByGate) {
      state.finish('cancelled', error.message);
      return { outcome: 'cancelled', status: state.snapshot() };
    }
    const cancelledBy = cancel.by();
    if (cancelledBy && isCancellation(error)) {
      state.finish('cancelled', `cancelled by ${cancelledBy.user}: ${cancelledBy.reason}`);
      return { outcome: 'cancelled', status: state.snapshot() };
    }
    state.finish(
      isCancellation(error) ? 'cancelled' : 'failed',
      isCancellation(error) ? 'cancelled by request' : describeFailure(error),
    );
    throw error;
  } finally {
    state.waitFor(undefined);
    await trail.settled();
  }
}

/** docs/approvals-locks-windows.md "Who may act": `cancel-release` from a release manager of this release. */
function handleCancelRequests(options: {
  subject: string;
  managers: string[];
  trail: AuditTrail;
  state: ReturnType<typeof createReleaseState>;
  work: CancellationScope;
}): { by(): CancelReleaseRequest | undefined } {
  const { subject, managers, trail, state, work } = options;
  let cancelledBy: CancelReleaseRequest | undefined;
  setHandler(
    cancelReleaseUpdate,
    (request) => {
      cancelledBy = request;
      trail.record('release-cancel-requested', request.user, { reason: request.reason });
      work.cancel();
      return { cancelled: true };
    },
    {
      validator: (request) => {
        if (!request?.user?.trim() || !request.reason?.trim())
          throw new Error('a cancellation needs the user and a reason');
        if (!managers.includes(request.user))
          throw new Error(
            `${request.user} may not cancel ${subject}: only its release managers may (${managers.join(', ')})`,
          );
        if (state.status.outcome) throw new Error(`${subject} has ended (${state.status.outcome}): nothing to cancel`);
      },
    },
  );
  return { by: () => cancelledBy };
}

async function runSteps(ctx: ReleaseContext): Promise<void> {
  const variant = ctx.state.status.variant;
  if (variant === 'initialProvisioning') return initialProvisioning(ctx);
  await baseline(ctx);
  await configure(ctx);
  if (variant === 'standard') await uatRefresh(ctx);
  for (let attempt = 1; ; attempt++) {
    if (variant === 'standard') {
      const pushed = await pushToUat(ctx, attempt);
      attempt = pushed.attempt;
      if (!(await acceptance(ctx, pushed.pushedAt))) {
        await ctx.state.correctedPackage();
        continue;
      }
    }
    if ((await productionPush(ctx, attempt, { maintenanceWindow: true })) === 'applied') break;
    // docs/releases.md "Failure handling": production restored; back to step 4 with a corrected package.
    await ctx.state.correctedPackage();
  }
  await afterwards(ctx);
}

/** Initial provisioning: production 0.0 from a template, staging from it, configure, push, go live. */
async function initialProvisioning(ctx: ReleaseContext): Promise<void> {
  await provision(ctx);
  await configure(ctx);
  // Production is not live yet: no maintenance window to wait for.
  for (let attempt = 1; ; attempt++) {
    if ((await productionPush(ctx, attempt, { maintenanceWindow: false })) === 'applied') break;
    await ctx.state.correctedPackage();
  }
  await goLiveOrAutoLock(ctx);
}

/** Takes the instances' locks in landscape order (production, staging, uat), so two holders never wait on each other crosswise. */
async function holdingLocks(ctx: ReleaseContext, landscapes: Landscape[], fn: () => Promise<void>): Promise<void> {
  const [first, ...rest] = landscapes;
  if (!first) return fn();
  const reason = `release ${ctx.input.tenant} ${ctx.input.version} (${workflowInfo().workflowId})`;
  return withInstanceLock(ctx.instance(first), reason, () => holdingLocks(ctx, rest, fn));
}

export type { ReleaseInput } from '../contracts/releases';
export type { ReleaseResult } from '../contracts/releases';
