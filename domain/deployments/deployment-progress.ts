/**
 * The per-tenant status model of a mass deployment (docs/mass-deployment-and-promotions.md), pure so the workflow, its tests
 * and the client share it. Tenants run in list order; everything before `next` has been
 * launched, so a tenant's status needs no per-tenant record for the (many) that succeeded.
 */
export type TenantStatusName = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface TenantProblem {
  status: 'failed' | 'skipped';
  reason: string;
}

/**
 * The problems continue-as-new carries must stay far below the server's 2 MB payload limit
 * (a larger input terminates the workflow) at 10,000 tenants, even when every tenant is
 * skipped or failed with a long reason, as when a deployment is run again. So the workflow
 * keeps the first KEPT_REASONS reasons, each cut at REASON_CHARS; later problems are kept as
 * positions in the tenant list, status only. Every full reason is in the control database
 * (`deployment_tenants`).
 */
export const KEPT_REASONS = 500;
export const REASON_CHARS = 300;
const DROPPED_REASON = `reason kept in the control database only (table deployment_tenants): more than ${KEPT_REASONS} tenants failed or were skipped`;

type KeptProblem = Omit<TenantProblem, 'reason'> & { reason?: string };

export interface DeploymentCounts {
  succeeded: number;
  failed: number;
  skipped: number;
}

/** What continue-as-new carries: the list, the position, the counts and the problems. */
export interface DeploymentProgress {
  tenants: string[];
  next: number;
  counts: DeploymentCounts;
  /** Failed and skipped tenants with their reason (the succeeded ones are implied); see KEPT_REASONS. */
  problems: Record<string, KeptProblem>;
  /** Past KEPT_REASONS: positions in `tenants` of the further failed and skipped ones. */
  unexplained?: { failed: number[]; skipped: number[] };
  /** Tenants skipped before the run (not in `tenants`). */
  preSkipped: number;
  runs: number;
}

export interface TenantStatus {
  tenant: string;
  status: TenantStatusName;
  reason?: string;
}

/** The reason a tenant is skipped when it had the package before the deployment (docs/mass-deployment-and-promotions.md). */
export function alreadyHasReason(packageLabel: string, appliedAt: string, by?: string): string {
  return `already has ${packageLabel} (applied ${appliedAt}${by ? ` by ${by}` : ''})`;
}

/**
 * docs/mass-deployment-and-promotions.md "Order": a dependency is done when it succeeded, or when it had the
 * package already (a deployment run again after a failure must not skip the dependents of tenants done before).
 */
export function dependencyDone(status: TenantStatus | undefined): boolean {
  return (
    status?.status === 'succeeded' || (status?.status === 'skipped' && (status.reason ?? '').startsWith('already has '))
  );
}

export function newProgress(tenants: string[], preSkipped: Record<string, TenantProblem>): DeploymentProgress {
  const progress: DeploymentProgress = {
    tenants,
    next: 0,
    counts: { succeeded: 0, failed: 0, skipped: 0 },
    problems: {},
    preSkipped: 0,
    runs: 1,
  };
  for (const [tenant, problem] of Object.entries(preSkipped)) recordOutcome(progress, tenant, problem);
  progress.preSkipped = Object.keys(preSkipped).length;
  return progress;
}

export function tenantStatus(
  progress: DeploymentProgress,
  running: ReadonlySet<string>,
  tenant: string,
): TenantStatus | undefined {
  const problem = progress.problems[tenant];
  if (problem) return { tenant, status: problem.status, reason: problem.reason ?? DROPPED_REASON };
  if (running.has(tenant)) return { tenant, status: 'running' };
  const index = positionOf(progress.tenants, tenant);
  if (index < 0) return undefined;
  for (const status of ['failed', 'skipped'] as const) {
    if (progress.unexplained?.[status].includes(index)) return { tenant, status, reason: DROPPED_REASON };
  }
  return { tenant, status: index < progress.next ? 'succeeded' : 'pending' };
}

/** The tenant's position in the deployment's list, or -1 (skipped before the run). */
export function positionIn(progress: DeploymentProgress, tenant: string): number {
  return positionOf(progress.tenants, tenant);
}

// Tenant → position, built once per list (a run's list never changes).
const positions = new WeakMap<string[], Map<string, number>>();
function positionOf(tenants: string[], tenant: string): number {
  let map = positions.get(tenants);
  if (!map) positions.set(tenants, (map = new Map(tenants.map((t, i) => [t, i]))));
  return map.get(tenant) ?? -1;
}

export function recordOutcome(
  progress: DeploymentProgress,
  tenant: string,
  outcome: { status: 'succeeded' } | TenantProblem,
): void {
  if (outcome.status === 'succeeded') progress.counts.succeeded += 1;
  else {
    const earlier = progress.counts.failed + progress.counts.skipped;
    progress.counts[outcome.status] += 1;
    const index = earlier < KEPT_REASONS ? -1 : positionOf(progress.tenants, tenant);
    if (index < 0)
      progress.problems[tenant] =
        earlier < KEPT_REASONS ? { status: outcome.status, reason: cut(outcome.reason) } : { status: outcome.status };
    else (progress.unexplained ??= { failed: [], skipped: [] })[outcome.status].push(index);
  }
}

function cut(reason: string): string {
  return reason.length <= REASON_CHARS ? reason : `${reason.slice(0, REASON_CHARS - 1)}…`;
}

/** Counts over every selected tenant; pending are those not launched yet. */
export function countsOf(progress: DeploymentProgress, runningCount: number) {
  const total = progress.tenants.length + progress.preSkipped;
  const processed = progress.counts.succeeded + progress.counts.failed + progress.counts.skipped;
  return {
    total,
    processed,
    running: runningCount,
    pending: progress.tenants.length - progress.next,
    ...progress.counts,
  };
}

/** docs/mass-deployment-and-promotions.md "Tenant notices": the submitter's mail holds the summary (processed, succeeded, failed). */
export function summaryMessage(
  input: { deploymentId: string; packageLabel: string; landscape: string; cancelled?: string },
  progress: DeploymentProgress,
) {
  const c = countsOf(progress, 0);
  const problems = Object.entries(progress.problems).sort(([a], [b]) => a.localeCompare(b));
  const lines = [
    `Mass deployment ${input.deploymentId} of package ${input.packageLabel} to the ${input.landscape} instances has ${input.cancelled ? 'been cancelled' : 'finished'}.`,
    ...(input.cancelled ? [input.cancelled] : []),
    '',
    `Tenants processed: ${c.processed}`,
    `Succeeded: ${c.succeeded}`,
    `Failed: ${c.failed}`,
    `Skipped: ${c.skipped}`,
    ...(problems.length
      ? [
          '',
          'Failed and skipped tenants:',
          ...problems.slice(0, 200).map(([tenant, p]) => `- ${tenant}: ${p.status}: ${p.reason ?? DROPPED_REASON}`),
        ]
      : []),
    ...(c.failed + c.skipped > Math.min(problems.length, 200)
      ? [
          `… and ${c.failed + c.skipped - Math.min(problems.length, 200)} more (stagecoach deploy status ${input.deploymentId})`,
        ]
      : []),
  ];
  return {
    subject: `Deployment of ${input.packageLabel}: ${c.processed} processed, ${c.succeeded} succeeded, ${c.failed} failed`,
    text: lines.join('\n'),
  };
}
