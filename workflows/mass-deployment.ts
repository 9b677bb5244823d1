import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TenantResult } from '../activities/deployments/deployment-activities';
import {
  type CancelDeploymentRequest,
  cancelDeploymentSignal,
  type CarriedDeployment,
  type DeploymentPhase,
  deploymentStatusQuery,
  type DeployToTenantResult,
  type MassDeploymentInput,
  type MassDeploymentResult,
  tenantDeploymentStatusQuery,
} from '../contracts/deployments';
import { SEARCH_ATTRIBUTES } from '../contracts/temporal-names';
import {
  countsOf,
  type DeploymentProgress,
  newProgress,
  recordOutcome,
  summaryMessage,
  type TenantProblem,
  tenantStatus,
} from '../domain/deployments/deployment-progress';
import type { Landscape } from '../domain/landscapes';
import { rootFailure } from './shared/failures';
import { deployToTenant } from './deployments/deploy-to-tenant';
import { deployToTenants } from './deployments/deploy-to-tenants';
const acts = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumInterval: '30 seconds', maximumAttempts: 10 },
});

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
  const run: DeploymentRun = {
    deploymentId: workflowInfo().workflowId,
    landscape: input.landscape ?? 'production',
    concurrency: Math.max(1, input.concurrency ?? 10),
    running: new Set<string>(),
    unflushed: [],
    carried: input.carried,
    cancelled: input.carried?.cancelled,
    phase: input.carried ? 'deploying' : input.scheduledFor ? 'scheduled' : 'preparing',
  };
  const { deploymentId, landscape, concurrency, running, unflushed } = run;
  registerDeploymentHandlers(input, run);

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
  while (batched && progress.next < progress.tenants.length && !run.cancelled && !timeToContinue()) {
    await condition(() => running.size < concurrency || run.cancelled !== undefined);
    if (run.cancelled) break;
    startBatch(input, run, state);
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
  return finish(input, deploymentId, landscape, state, run.cancelled, (p) => (run.phase = p));
}

/** One run of a deployment (it continues as new): what the queries show and the children book. */
interface DeploymentRun {
  deploymentId: string;
  landscape: Landscape;
  concurrency: number;
  /** Tenants whose child runs now. */
  running: Set<string>;
  /** Tenant results not yet written to the deployment's table. */
  unflushed: TenantResult[];
  /** The package and progress, once prepared (or carried from the previous run). */
  carried?: CarriedDeployment;
  cancelled?: CancelDeploymentRequest;
  phase: DeploymentPhase;
}

function registerDeploymentHandlers(input: MassDeploymentInput, run: DeploymentRun): void {
  const { deploymentId, landscape, concurrency, running } = run;
  setHandler(cancelDeploymentSignal, (request) => {
    run.cancelled ??= request;
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
  }));
  setHandler(tenantDeploymentStatusQuery, (tenant) =>
    run.carried ? (tenantStatus(run.carried.progress, running, tenant) ?? null) : null,
  );
}

/** Starts the next batch of tenants as one `deployToTenants` child (not awaited: the window slides). */
function startBatch(input: MassDeploymentInput, run: DeploymentRun, state: CarriedDeployment): void {
  const { deploymentId, landscape, concurrency, running } = run;
  const progress = state.progress;
  const size = Math.min(batchSizeFor(concurrency), concurrency - running.size, progress.tenants.length - progress.next);
  const tenants = progress.tenants.slice(progress.next, progress.next + size);
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

/** Books a tenant's outcome: in the progress, and in the results to write. */
function finished(
  run: DeploymentRun,
  progress: DeploymentProgress,
  tenant: string,
  outcome: DeployToTenantResult,
): void {
  run.running.delete(tenant);
  recordOutcome(
    progress,
    tenant,
    outcome.status === 'succeeded' ? { status: 'succeeded' } : (outcome as TenantProblem),
  );
  run.unflushed.push({
    tenant,
    status: outcome.status,
    reason: 'reason' in outcome ? outcome.reason : undefined,
    finishedAt: new Date().toISOString(),
    ...(outcome.status === 'succeeded' && outcome.backupId !== undefined ? { backupId: outcome.backupId } : {}),
  });
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
      submitter: input.submitter,
    });
    const preSkipped = Object.fromEntries(
      prepared.skipped.map((s) => [s.tenant, { status: 'skipped' as const, reason: s.reason ?? 'skipped' }]),
    );
    return {
      packageId: prepared.packageId,
      version: prepared.version,
      progress: newProgress(prepared.tenants, preSkipped),
    };
  } catch (error) {
    throw rootFailure(error);
  }
}

async function flush(deploymentId: string, unflushed: TenantResult[]): Promise<void> {
  if (unflushed.length === 0) return;
  const results = unflushed.splice(0, unflushed.length);
  await acts.recordDeploymentTenants({ deploymentId, results });
}

async function finish(
  input: MassDeploymentInput,
  deploymentId: string,
  landscape: Landscape,
  state: CarriedDeployment,
  cancelled: CancelDeploymentRequest | undefined,
  setPhase: (phase: DeploymentPhase) => void,
): Promise<MassDeploymentResult> {
  const progress = state.progress;
  if (cancelled) {
    const reason = `deployment cancelled by ${cancelled.user}: ${cancelled.reason}`;
    const rest = progress.tenants.slice(progress.next);
    for (const tenant of rest) recordOutcome(progress, tenant, { status: 'skipped', reason });
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
  await acts.finishDeployment({ deploymentId, status: cancelled ? 'cancelled' : 'finished' });
  const packageLabel = `${state.packageId}@${state.version}`;
  const summary = summaryMessage(
    {
      deploymentId,
      packageLabel,
      landscape,
      cancelled: cancelled ? `Cancelled by ${cancelled.user}: ${cancelled.reason}` : undefined,
    },
    progress,
  );
  await acts.notify({
    workflowId: deploymentId,
    idempotencyKey: `${deploymentId}/summary`,
    recipients: [input.submitter],
    ...summary,
  });
  setPhase(cancelled ? 'cancelled' : 'finished');
  return { deploymentId, package: packageLabel, counts: countsOf(progress, 0), runs: progress.runs, cancelled };
}
