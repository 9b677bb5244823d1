import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  ParentClosePolicy,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  cancelDeploymentSignal,
  type CarriedDeployment,
  type DeploymentPhase,
  deploymentStatusQuery,
  type DeployToTenantResult,
  type MassDeploymentInput,
  type MassDeploymentResult,
  resolveDeploymentUpdate,
  tenantDeploymentStatusQuery,
} from '../contracts/deployments';
import { SEARCH_ATTRIBUTES } from '../contracts/temporal-names';
import {
  countsOf,
  dependencyDone,
  type DeploymentProgress,
  newProgress,
  recordOutcome,
  summaryMessage,
  tenantStatus,
} from '../domain/deployments/deployment-progress';
import { DEFAULT_FAILURE_THRESHOLD_PERCENT } from '../domain/deployments/wave-plan';
import { countWaveOutcome, newWaveProgress, waveHalts, waveStatuses } from '../domain/deployments/wave-progress';
import type { Landscape } from '../domain/landscapes';
import { createAuditTrail } from './audit-trail';
import { createGateKeeper } from './gates/gate-keeper';
import { rootFailure } from './shared/failures';
import { acts, book, type DeploymentRun, flush } from './deployments/deployment-run';
import { deployToTenant } from './deployments/deploy-to-tenant';
import { deployToTenants } from './deployments/deploy-to-tenants';
import { betweenWaves, haltForResolution } from './deployments/waves';

const FLUSH_EVERY = 100;

/**
 * Tenants per child: half the window, at most 25, so at least two batches overlap (one applies
 * while the next waits for its locks) and a child's history stays small.
 */
export function batchSizeFor(concurrency: number): number {
  return Math.max(1, Math.min(10, Math.ceil(concurrency / 2)));
}

/**
 * One published package to many tenants (docs/mass-deployment-and-promotions.md): a sliding window of `deployToTenants`
 * children, each a batch of tenants applied under their instance locks. Statuses are queryable while it runs; it continues
 * as new (after the window drains, so no child is ever started twice) to keep histories bounded.
 */
export async function massDeployment(input: MassDeploymentInput): Promise<MassDeploymentResult> {
  const run = newRun(input);
  const { deploymentId, landscape, concurrency, running, unflushed } = run;
  registerDeploymentHandlers(input, run);
  // docs/mass-deployment-and-promotions.md "Waves": the gate before each wave shares the approval signals for the deployment's life.
  const gates = input.waves?.gate
    ? createGateKeeper({
        subject: `mass deployment ${deploymentId}`,
        requestedBy: input.submitter,
        trail: createAuditTrail(deploymentId),
      })
    : undefined;

  if (!run.carried) {
    if (input.scheduledFor)
      await condition(() => run.cancelled !== undefined, Math.max(0, Date.parse(input.scheduledFor) - Date.now()));
    run.phase = 'preparing';
    run.carried = await prepare(input, deploymentId, landscape);
  }
  const state = run.carried;
  const progress = state.progress;
  run.phase = 'deploying';
  upsertSearchAttributes({ [SEARCH_ATTRIBUTES.phase]: ['deploying'], [SEARCH_ATTRIBUTES.version]: [state.version] });

  const maxEvents = input.maxHistoryEvents ?? 5_000;
  const timeToContinue = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > maxEvents;

  // Deployments started before batches existed keep one child per tenant when they replay.
  const batched = patched('batched-tenant-children');
  while (batched && !run.cancelled) {
    const end = waveEnd(state);
    if (progress.next >= end) {
      if (await betweenWaves(input, run, state, gates)) continue;
      break;
    }
    if (timeToContinue()) break;
    await condition(
      () =>
        run.cancelled !== undefined || waveHalts(state.waves) || (running.size < concurrency && headReady(run, state)),
    );
    if (run.cancelled) break;
    if (waveHalts(state.waves)) {
      if (await haltForResolution(input, run, state)) continue;
      break;
    }
    if (skipBlockedHead(run, state)) continue;
    startBatch(input, run, state, end);
    if (unflushed.length >= FLUSH_EVERY) await flush(deploymentId, unflushed);
  }
  while (!batched && progress.next < progress.tenants.length && !run.cancelled && !timeToContinue()) {
    await condition(() => running.size < concurrency || run.cancelled !== undefined);
    if (run.cancelled) break;
    startTenant(input, run, state);
    if (unflushed.length >= FLUSH_EVERY) await flush(deploymentId, unflushed);
  }
  await condition(() => running.size === 0);
  await flush(deploymentId, unflushed);

  if (progress.next < progress.tenants.length && !run.cancelled) {
    await condition(allHandlersFinished);
    progress.runs += 1;
    // The selection is in the carried list already; carrying it twice would double the input.
    return continueAsNew<typeof massDeployment>({
      ...input,
      tenants: undefined,
      carried: { ...state, cancelled: run.cancelled },
    });
  }
  return finish(input, run, state, (p) => (run.phase = p));
}

function newRun(input: MassDeploymentInput): DeploymentRun {
  return {
    deploymentId: workflowInfo().workflowId,
    landscape: input.landscape ?? 'production',
    concurrency: Math.max(1, input.concurrency ?? 10),
    running: new Set<string>(),
    unflushed: [],
    carried: input.carried,
    cancelled: input.carried?.cancelled,
    refusedCancels: [],
    // docs/approvals-locks-windows.md "Who may act"; deployments started before it replay without the checks.
    checksRoles: patched('deployment-role-checks'),
    phase: input.carried ? 'deploying' : input.scheduledFor ? 'scheduled' : 'preparing',
  };
}

/** Where the current wave ends in the tenant list (the whole list without waves). */
function waveEnd(state: CarriedDeployment): number {
  return state.waves ? state.waves.ends[state.waves.current] : state.progress.tenants.length;
}

/** docs/mass-deployment-and-promotions.md "Order": the next tenant may start once none of its dependencies runs. */
function headReady(run: DeploymentRun, state: CarriedDeployment): boolean {
  const dependencies = state.dependsOn?.[state.progress.tenants[state.progress.next]];
  return !dependencies || dependencies.every((tenant) => !run.running.has(tenant));
}

/** A dependency that did not succeed skips the tenant, with the reason; true when the head was skipped. */
function skipBlockedHead(run: DeploymentRun, state: CarriedDeployment): boolean {
  const progress = state.progress;
  const tenant = progress.tenants[progress.next];
  for (const dependency of state.dependsOn?.[tenant] ?? []) {
    const status = tenantStatus(progress, run.running, dependency);
    if (dependencyDone(status)) continue;
    progress.next += 1;
    book(run, progress, tenant, {
      status: 'skipped',
      reason: `depends on ${dependency}, which ${status?.status === 'failed' ? 'failed' : 'was skipped'} in this deployment`,
    });
    return true;
  }
  return false;
}

/** A tenant may join the batch when each of its dependencies succeeded and is not in the batch. */
function clearToJoin(run: DeploymentRun, state: CarriedDeployment, tenant: string, batch: Set<string>): boolean {
  const dependencies = state.dependsOn?.[tenant];
  return (
    !dependencies ||
    dependencies.every((d) => !batch.has(d) && dependencyDone(tenantStatus(state.progress, run.running, d)))
  );
}

function registerDeploymentHandlers(input: MassDeploymentInput, run: DeploymentRun): void {
  const { deploymentId, landscape, concurrency, running } = run;
  setHandler(cancelDeploymentSignal, (request) => {
    const refusal = requestRefusal(input, run, request, 'cancel');
    if (refusal) run.refusedCancels.push({ user: request.user, reason: request.reason, refusal });
    else run.cancelled ??= request;
  });
  setHandler(deploymentStatusQuery, () => ({
    deploymentId,
    phase: run.phase,
    package: run.carried ? `${run.carried.packageId}@${run.carried.version}` : undefined,
    landscape,
    scheduledFor: input.scheduledFor,
    concurrency,
    counts: run.carried
      ? countsOf(run.carried.progress, running.size)
      : { total: 0, processed: 0, pending: 0, running: 0, succeeded: 0, failed: 0, skipped: 0 },
    running: [...running].sort(),
    problems: run.carried
      ? Object.entries(run.carried.progress.problems)
          .slice(0, 500)
          .map(([tenant, p]) => ({ tenant, ...p }))
      : [],
    runs: run.carried?.progress.runs ?? 1,
    ...(run.carried?.waves ? { waves: waveStatuses(run.carried.waves, run.phase === 'needs-resolution') } : {}),
    ...(run.cancelled ? { cancelled: run.cancelled } : {}),
    ...(run.refusedCancels.length ? { refusedCancels: run.refusedCancels } : {}),
  }));
  setHandler(tenantDeploymentStatusQuery, (tenant) =>
    run.carried ? (tenantStatus(run.carried.progress, running, tenant) ?? null) : null,
  );
  // docs/mass-deployment-and-promotions.md "Waves": only a halted deployment takes a resolution, and only one.
  setHandler(
    resolveDeploymentUpdate,
    (request) => {
      run.resolution = request;
      return run.phase;
    },
    {
      validator: (request) => {
        if (run.phase !== 'needs-resolution' || run.resolution !== undefined)
          throw new Error(`deployment ${deploymentId} is not halted (it is ${run.phase}): nothing to resolve`);
        if (!['resume', 'cancel', 'back-out'].includes(request.action))
          throw new Error(`unknown resolution '${request.action}': resume, cancel or back-out`);
        if (!request.user?.trim() || !request.reason?.trim()) throw new Error('a resolution needs a user and a reason');
        const refusal = requestRefusal(input, run, request, 'resolve');
        if (refusal) throw new Error(refusal);
      },
    },
  );
}

/**
 * Why `user` may not cancel or resolve the deployment (docs/approvals-locks-windows.md "Who may act"): once
 * prepared, members of deployment-admin and admin as the inventory said then; before, only its submitter.
 */
function requestRefusal(
  input: MassDeploymentInput,
  run: DeploymentRun,
  request: { user: string },
  action: 'cancel' | 'resolve',
): string | undefined {
  // A deployment prepared before roles carries no admins: nothing to check against.
  if (!run.checksRoles || (run.carried && !run.carried.admins)) return undefined;
  const allowed = run.carried ? (run.carried.admins ?? []) : [input.submitter];
  if (allowed.includes(request?.user)) return undefined;
  const who = run.carried
    ? 'role deployment-admin (or admin)'
    : `its submitter, ${input.submitter}, until it is prepared`;
  return `user '${request?.user}' may not ${action} deployment ${run.deploymentId}: it needs ${who}`;
}

/** Starts the next batch of tenants as one `deployToTenants` child (not awaited: the window slides). */
function startBatch(input: MassDeploymentInput, run: DeploymentRun, state: CarriedDeployment, end: number): void {
  const { deploymentId, landscape, concurrency, running } = run;
  const progress = state.progress;
  const limit = Math.min(batchSizeFor(concurrency), concurrency - running.size, end - progress.next);
  // docs/mass-deployment-and-promotions.md "Order": a batch ends before a tenant whose dependency is not done yet.
  const tenants = [progress.tenants[progress.next]];
  const inBatch = new Set(tenants);
  while (tenants.length < limit && clearToJoin(run, state, progress.tenants[progress.next + tenants.length], inBatch)) {
    tenants.push(progress.tenants[progress.next + tenants.length]);
    inBatch.add(tenants[tenants.length - 1]);
  }
  const size = tenants.length;
  progress.next += size;
  for (const tenant of tenants) running.add(tenant);
  void executeChild(deployToTenants, {
    workflowId: `${deploymentId}/${tenants.length === 1 ? tenants[0] : `${tenants[0]}..${tenants[tenants.length - 1]}`}`,
    args: [
      {
        deploymentId,
        tenants,
        landscape,
        packageSha256: input.packageSha256,
        packageId: state.packageId,
        version: state.version,
        notifyTenants: input.notifyTenants ?? false,
        ...(state.waves ? { backupFirst: true } : {}),
      },
    ],
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
  }).then(
    (outcomes) => outcomes.forEach((outcome) => finished(run, progress, outcome.tenant, outcome)),
    (error: unknown) =>
      tenants.forEach((tenant) =>
        finished(run, progress, tenant, { status: 'failed', reason: String(rootFailure(error)) }),
      ),
  );
}

/** Deployments from before batches: the next tenant as its own `deployToTenant` child. */
function startTenant(input: MassDeploymentInput, run: DeploymentRun, state: CarriedDeployment): void {
  const { deploymentId, landscape, running } = run;
  const progress = state.progress;
  const tenant = progress.tenants[progress.next];
  progress.next += 1;
  running.add(tenant);
  // Not awaited: the window slides as children finish; `finished` books each one.
  void executeChild(deployToTenant, {
    workflowId: `${deploymentId}/${tenant}`,
    args: [
      {
        deploymentId,
        tenant,
        landscape,
        packageSha256: input.packageSha256,
        packageId: state.packageId,
        version: state.version,
        notifyTenant: input.notifyTenants ?? false,
      },
    ],
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
  }).then(
    (outcome) => finished(run, progress, tenant, outcome),
    (error: unknown) => finished(run, progress, tenant, { status: 'failed', reason: String(rootFailure(error)) }),
  );
}

/** Books a tenant's outcome once its child has ended. */
function finished(
  run: DeploymentRun,
  progress: DeploymentProgress,
  tenant: string,
  outcome: DeployToTenantResult,
): void {
  run.running.delete(tenant);
  book(run, progress, tenant, outcome);
}

async function prepare(
  input: MassDeploymentInput,
  deploymentId: string,
  landscape: Landscape,
): Promise<CarriedDeployment> {
  try {
    const prepared = await acts.prepareDeployment({
      deploymentId,
      packageSha256: input.packageSha256,
      landscape,
      tenants: input.tenants,
      ...(input.tenantTags ? { tenantTags: input.tenantTags } : {}),
      ...(input.waves ? { waves: input.waves } : {}),
      submitter: input.submitter,
    });
    const preSkipped = Object.fromEntries(
      prepared.skipped.map((s) => [s.tenant, { status: 'skipped' as const, reason: s.reason ?? 'skipped' }]),
    );
    const dependsOn = prepared.dependsOn ?? {};
    return {
      packageId: prepared.packageId,
      version: prepared.version,
      ...(prepared.admins ? { admins: prepared.admins } : {}),
      progress: newProgress(prepared.tenants, preSkipped),
      ...(Object.keys(dependsOn).length > 0 ? { dependsOn } : {}),
      ...(prepared.waves
        ? {
            waves: newWaveProgress(prepared.waves, {
              failureThresholdPercent: input.waves?.failureThresholdPercent ?? DEFAULT_FAILURE_THRESHOLD_PERCENT,
              soakSeconds: input.waves?.soakSeconds,
            }),
          }
        : {}),
    };
  } catch (error) {
    throw rootFailure(error);
  }
}

async function finish(
  input: MassDeploymentInput,
  run: DeploymentRun,
  state: CarriedDeployment,
  setPhase: (phase: DeploymentPhase) => void,
): Promise<MassDeploymentResult> {
  const { deploymentId, landscape, cancelled } = run;
  const progress = state.progress;
  const backedOut = state.waves?.backedOut;
  if (cancelled) {
    const reason = `deployment cancelled by ${cancelled.user}: ${cancelled.reason}`;
    const rest = progress.tenants.slice(progress.next);
    for (let position = progress.next; position < progress.tenants.length; position += 1) {
      recordOutcome(progress, progress.tenants[position], { status: 'skipped', reason });
      countWaveOutcome(state.waves, position, 'skipped');
    }
    progress.next = progress.tenants.length;
    for (let i = 0; i < rest.length; i += 1_000) {
      await acts.recordDeploymentTenants({
        deploymentId,
        results: rest
          .slice(i, i + 1_000)
          .map((tenant) => ({ tenant, status: 'skipped', reason, finishedAt: new Date().toISOString() })),
      });
    }
  }
  setPhase('notifying');
  const status = backedOut ? 'backed-out' : cancelled ? 'cancelled' : 'finished';
  await acts.finishDeployment({ deploymentId, status });
  const packageLabel = `${state.packageId}@${state.version}`;
  const summary = summaryMessage(
    {
      deploymentId,
      packageLabel,
      landscape,
      cancelled: backedOut
        ? `${backedOut.wave} was backed out by ${backedOut.user}: ${backedOut.reason}. ${backedOut.restored.length} tenant(s) restored from the deployment's backups and verified by fingerprint` +
          (backedOut.failed.length > 0
            ? `; the restore FAILED for ${backedOut.failed.map((f) => `${f.tenant} (${f.reason})`).join(', ')}`
            : '.')
        : cancelled
          ? `Cancelled by ${cancelled.user}: ${cancelled.reason}`
          : undefined,
    },
    progress,
  );
  await acts.notify({
    workflowId: deploymentId,
    idempotencyKey: `${deploymentId}/summary`,
    recipients: [input.submitter],
    ...summary,
  });
  setPhase(status);
  return {
    deploymentId,
    package: packageLabel,
    counts: countsOf(progress, 0),
    runs: progress.runs,
    cancelled,
    ...(backedOut ? { backedOut } : {}),
  };
}
