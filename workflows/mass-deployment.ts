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
  const deploymentId = workflowInfo().workflowId;
  const landscape = input.landscape ?? 'production';
  const concurrency = Math.max(1, input.concurrency ?? 10);
  const running = new Set<string>();
  const unflushed: TenantResult[] = [];
  let carried = input.carried;
  let cancelled = carried?.cancelled;
  let phase: DeploymentPhase = carried ? 'deploying' : input.scheduledFor ? 'scheduled' : 'preparing';

  setHandler(cancelDeploymentSignal, (request) => {
    cancelled ??= request;
  });
  setHandler(deploymentStatusQuery, () => ({
    deploymentId,
    phase,
    package: carried ? `${carried.packageId}@${carried.version}` : undefined,
    landscape,
    scheduledFor: input.scheduledFor,
    concurrency,
    counts: carried
      ? countsOf(carried.progress, running.size)
      : { total: 0, processed: 0, pending: 0, running: 0, succeeded: 0, failed: 0, skipped: 0 },
    running: [...running].sort(),
    problems: carried
      ? Object.entries(carried.progress.problems)
          .slice(0, 500)
          .map(([tenant, p]) => ({ tenant, ...p }))
      : [],
    runs: carried?.progress.runs ?? 1,
  }));
  setHandler(tenantDeploymentStatusQuery, (tenant) =>
    carried ? (tenantStatus(carried.progress, running, tenant) ?? null) : null,
  );

  if (!carried) {
    if (input.scheduledFor)
      await condition(() => cancelled !== undefined, Math.max(0, Date.parse(input.scheduledFor) - Date.now()));
    phase = 'preparing';
    carried = await prepare(input, deploymentId, landscape);
  }
  const state = carried;
  const progress = state.progress;
  phase = 'deploying';
  upsertSearchAttributes({ [SEARCH_ATTRIBUTES.phase]: ['deploying'], [SEARCH_ATTRIBUTES.version]: [state.version] });

  const finished = (tenant: string, outcome: DeployToTenantResult) => {
    running.delete(tenant);
    recordOutcome(
      progress,
      tenant,
      outcome.status === 'succeeded' ? { status: 'succeeded' } : (outcome as TenantProblem),
    );
    unflushed.push({
      tenant,
      status: outcome.status,
      reason: 'reason' in outcome ? outcome.reason : undefined,
      finishedAt: new Date().toISOString(),
    });
  };
  const maxEvents = input.maxHistoryEvents ?? 5_000;
  const timeToContinue = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > maxEvents;

  // Deployments started before batches existed keep one child per tenant when they replay.
  const batched = patched('batched-tenant-children');
  while (batched && progress.next < progress.tenants.length && !cancelled && !timeToContinue()) {
    await condition(() => running.size < concurrency || cancelled !== undefined);
    if (cancelled) break;
    const size = Math.min(
      batchSizeFor(concurrency),
      concurrency - running.size,
      progress.tenants.length - progress.next,
    );
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
      (outcomes) => outcomes.forEach((outcome) => finished(outcome.tenant, outcome)),
      (error: unknown) =>
        tenants.forEach((tenant) => finished(tenant, { status: 'failed', reason: String(rootFailure(error)) })),
    );
    if (unflushed.length >= FLUSH_EVERY) await flush(deploymentId, unflushed);
  }
  while (!batched && progress.next < progress.tenants.length && !cancelled && !timeToContinue()) {
    await condition(() => running.size < concurrency || cancelled !== undefined);
    if (cancelled) break;
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
      (outcome) => finished(tenant, outcome),
      (error: unknown) => finished(tenant, { status: 'failed', reason: String(rootFailure(error)) }),
    );
    if (unflushed.length >= FLUSH_EVERY) await flush(deploymentId, unflushed);
  }
  await condition(() => running.size === 0);
  await flush(deploymentId, unflushed);

  if (progress.next < progress.tenants.length && !cancelled) {
    await condition(allHandlersFinished);
    progress.runs += 1;
    // The selection is in the carried list already; carrying it twice would double the input.
    return continueAsNew<typeof massDeployment>({ ...input, tenants: undefined, carried: { ...state, cancelled } });
  }
  return finish(input, deploymentId, landscape, state, cancelled, (p) => (phase = p));
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
