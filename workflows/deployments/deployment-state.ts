/**
 * The per-tenant status model of a mass deployment (SPEC §6), pure so the workflow, its tests
 * and the client share it. Tenants run in list order; everything before `next` has been
 * launched, so a tenant's status needs no per-tenant record for the (many) that succeeded.
 */
export type TenantStatusName = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export interface TenantProblem {
  status: 'failed' | 'skipped';
  reason: string;
}

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
  /** Failed and skipped tenants with their reason (the succeeded ones are implied). */
  problems: Record<string, TenantProblem>;
  /** Tenants skipped before the run (not in `tenants`). */
  preSkipped: number;
  runs: number;
}

export interface TenantStatus {
  tenant: string;
  status: TenantStatusName;
  reason?: string;
}

export function newProgress(tenants: string[], preSkipped: Record<string, TenantProblem>): DeploymentProgress {
  const skipped = Object.keys(preSkipped).length;
  return { tenants, next: 0, counts: { succeeded: 0, failed: 0, skipped }, problems: { ...preSkipped }, preSkipped: skipped, runs: 1 };
}

export function tenantStatus(progress: DeploymentProgress, running: ReadonlySet<string>, tenant: string): TenantStatus | undefined {
  const problem = progress.problems[tenant];
  if (problem) return { tenant, ...problem };
  if (running.has(tenant)) return { tenant, status: 'running' };
  const index = progress.tenants.indexOf(tenant);
  if (index < 0) return undefined;
  return { tenant, status: index < progress.next ? 'succeeded' : 'pending' };
}

export function recordOutcome(progress: DeploymentProgress, tenant: string, outcome: { status: 'succeeded' } | TenantProblem): void {
  if (outcome.status === 'succeeded') progress.counts.succeeded += 1;
  else {
    progress.counts[outcome.status] += 1;
    progress.problems[tenant] = outcome;
  }
}

/** Counts over every selected tenant; pending are those not launched yet. */
export function countsOf(progress: DeploymentProgress, runningCount: number) {
  const total = progress.tenants.length + progress.preSkipped;
  const processed = progress.counts.succeeded + progress.counts.failed + progress.counts.skipped;
  return { total, processed, running: runningCount, pending: progress.tenants.length - progress.next, ...progress.counts };
}

/** Seed 003: the submitter's mail holds the summary (processed, succeeded, failed). */
export function summaryMessage(input: { deploymentId: string; packageLabel: string; landscape: string; cancelled?: string }, progress: DeploymentProgress) {
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
    ...(problems.length ? ['', 'Failed and skipped tenants:', ...problems.slice(0, 200).map(([tenant, p]) => `- ${tenant}: ${p.status}: ${p.reason}`)] : []),
    ...(problems.length > 200 ? [`… and ${problems.length - 200} more (stagecoach deploy status ${input.deploymentId})`] : []),
  ];
  return {
    subject: `Deployment of ${input.packageLabel}: ${c.processed} processed, ${c.succeeded} succeeded, ${c.failed} failed`,
    text: lines.join('\n'),
  };
}
