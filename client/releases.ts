/**
 * Releases (docs/releases.md) through the client library: start, status, signals of the configuration
 * phase, cancel, list, and the staging refresh Schedule. Gate decisions use the client's
 * `decide` / `signalDecision` / `sendResolution` with the release's workflow id.
 */
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { releaseInputProblems } from '../domain/releases';
import { describePackageRef, type PackageRef } from '../domain/packages/package-types';
import { NotFoundError, RefusedError } from './errors';
import type { StagecoachClient } from './stagecoach-client';
import { searchAttributesFor, type WorkflowListing } from './workflow-progress';
import {
  configurationReadySignal,
  configurationReadyUpdate,
  correctedPackageSignal,
  correctedPackageUpdate,
  registerChangeSignal,
  RELEASE_WORKFLOW_TYPE,
  type RegisterChange,
  type ReleaseInput,
  type ReleaseResult,
  type ReleaseStatus,
  releaseStatusQuery,
  releaseWorkflowId,
} from '../contracts/releases';
import type { StagingRefreshInput } from '../contracts/database';

/** A release with this id runs already (or completed): a second start is refused, nothing was started. */
export class ReleaseAlreadyStartedError extends Error {
  constructor(
    readonly workflowId: string,
    readonly state: 'running' | 'completed',
  ) {
    super(
      state === 'running'
        ? `Release ${workflowId} is already running; a second start is refused. Watch it with 'stagecoach release status', or cancel it first.`
        : `Release ${workflowId} has already completed; start a new version instead.`,
    );
    this.name = 'ReleaseAlreadyStartedError';
  }
}

/** Input that cannot start a release: every problem named, nothing started. */
export class InvalidReleaseInputError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cannot start the release: ${problems.join('; ')}`);
    this.name = 'InvalidReleaseInputError';
  }
}

export interface StartedRelease {
  workflowId: string;
  runId: string;
}

export async function startRelease(client: StagecoachClient, input: ReleaseInput): Promise<StartedRelease> {
  const problems = releaseInputProblems(input);
  if (problems.length > 0) throw new InvalidReleaseInputError(problems);
  const workflowId = releaseWorkflowId(input.tenant, input.version);
  try {
    const handle = await client.temporal.workflow.start(RELEASE_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: client.taskQueue,
      args: [input],
      // A failed or cancelled release may be started again under its id; a completed one not.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      typedSearchAttributes: searchAttributesFor({ tenant: input.tenant, version: input.version, phase: 'starting' }),
      staticSummary: `Release ${input.tenant} ${input.version} (${input.variant ?? 'standard'}) by ${input.startedBy}`,
      staticDetails: releaseDetails(input),
    });
    return { workflowId, runId: handle.firstExecutionRunId };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      const description = await client.temporal.workflow.getHandle(workflowId).describe();
      throw new ReleaseAlreadyStartedError(workflowId, description.status.name === 'RUNNING' ? 'running' : 'completed');
    }
    throw error;
  }
}

export async function releaseStatus(client: StagecoachClient, workflowId: string): Promise<ReleaseStatus> {
  return translate(workflowId, () => handle(client, workflowId).query(releaseStatusQuery));
}

/** Waits for the release to end: `completed`, or `cancelled` by a gate's release manager. */
export async function releaseResult(client: StagecoachClient, workflowId: string): Promise<ReleaseResult> {
  return translate(workflowId, () => handle(client, workflowId).result() as Promise<ReleaseResult>);
}

/**
 * Step 2 ends: the configuration on staging is ready in these packages. Throws RefusedError,
 * naming why, when the release does not take it now.
 */
export async function sendConfigurationReady(
  client: StagecoachClient,
  workflowId: string,
  user: string,
  packages: PackageRef[],
  comment?: string,
): Promise<void> {
  await askOrRefuse(client, workflowId, configurationReadyUpdate, configurationReadySignal, {
    user,
    packages,
    comment,
  });
}

export async function registerChange(
  client: StagecoachClient,
  workflowId: string,
  change: RegisterChange,
): Promise<void> {
  await translate(workflowId, () => handle(client, workflowId).signal(registerChangeSignal, change));
}

/**
 * After a failed push: the corrected package(s); the release pushes them to UAT again. Throws
 * RefusedError when the release is not waiting for one.
 */
export async function sendCorrectedPackage(
  client: StagecoachClient,
  workflowId: string,
  user: string,
  packages: PackageRef[],
  comment?: string,
): Promise<void> {
  await askOrRefuse(client, workflowId, correctedPackageUpdate, correctedPackageSignal, { user, packages, comment });
}

/**
 * Sends the request as an Update, whose validator answers at once. A refused request is then
 * sent as the signal too, so the refusal is recorded in the history and the audit table.
 */
async function askOrRefuse<Request extends { refusedByUpdate?: string }>(
  client: StagecoachClient,
  workflowId: string,
  update: UpdateDefinition<unknown, [Request]>,
  signal: SignalDefinition<[Request]>,
  request: Request,
): Promise<void> {
  await translate(workflowId, async () => {
    try {
      await handle(client, workflowId).executeUpdate(update, { args: [request] });
    } catch (error) {
      if (!(error instanceof WorkflowUpdateFailedError)) throw error;
      // Marked, so it is recorded as refused even if the release has moved on meanwhile.
      const reason = error.cause?.message ?? error.message;
      await handle(client, workflowId).signal(signal, { ...request, refusedByUpdate: reason });
      throw new RefusedError(workflowId, reason, signal.name);
    }
  });
}

/**
 * Cancels a release: it undoes its flag changes, releases its instance locks and ends as
 * cancelled. (A gate's `cancel` signal from a release manager ends it the same way.)
 */
export async function cancelRelease(client: StagecoachClient, workflowId: string): Promise<void> {
  await translate(workflowId, () => handle(client, workflowId).cancel());
}

/** Releases, newest first; narrowed by tenant, phase or what they wait for. */
export async function listReleases(
  client: StagecoachClient,
  filter: { tenant?: string; phase?: string; waitingFor?: string; open?: boolean } = {},
  limit = 100,
): Promise<WorkflowListing[]> {
  return client.list({ ...filter, type: RELEASE_WORKFLOW_TYPE }, limit);
}

export interface StagingRefreshSchedule extends StagingRefreshInput {
  /** Cron expression (e.g. `0 3 * * 6`: Saturdays 03:00) or an interval in seconds. */
  cron?: string;
  everySeconds?: number;
  timeZone?: string;
}

/** `staging-refresh/<tenant>`: one Schedule per tenant, created or updated in place. */
export function stagingRefreshScheduleId(tenant: string): string {
  return `staging-refresh/${tenant}`;
}

/**
 * Creates or updates the tenant's staging refresh Schedule (docs/releases.md "Staging refresh": refresh staging from
 * production periodically). A refresh that finds the previous one still running is skipped.
 */
export async function scheduleStagingRefresh(
  client: StagecoachClient,
  schedule: StagingRefreshSchedule,
): Promise<string> {
  if (!schedule.cron === !schedule.everySeconds)
    throw new Error('give either cron or everySeconds for the staging refresh schedule');
  const scheduleId = stagingRefreshScheduleId(schedule.tenant);
  const input: StagingRefreshInput = {
    tenant: schedule.tenant,
    ...(schedule.backupType ? { backupType: schedule.backupType } : {}),
  };
  const spec = schedule.cron
    ? { cronExpressions: [schedule.cron], timezone: schedule.timeZone }
    : { intervals: [{ every: schedule.everySeconds! * 1000 }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'stagingRefresh',
    workflowId: `staging-refresh/${schedule.tenant}`,
    taskQueue: client.taskQueue,
    args: [input],
    typedSearchAttributes: searchAttributesFor({ tenant: schedule.tenant, phase: 'staging-refresh' }),
  };
  try {
    await client.temporal.schedule.create({
      scheduleId,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.temporal.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
  }
  return scheduleId;
}

function handle(client: StagecoachClient, workflowId: string): WorkflowHandle {
  return client.temporal.workflow.getHandle(workflowId);
}

async function translate<T>(workflowId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw error instanceof WorkflowNotFoundError ? new NotFoundError(workflowId) : error;
  }
}

function releaseDetails(input: ReleaseInput): string {
  return [
    `**Release ${input.version} of ${input.tenant}** (${input.variant ?? 'standard'}), started by ${input.startedBy}.`,
    '',
    input.packages?.length
      ? `Packages: ${input.packages.map(describePackageRef).join(', ')}.`
      : 'Packages: named later by the `configurationReady` signal.',
    '',
    'Gates `uat-push`, `production-push`, `go-live`: Send signal `approve` or `reject` with `{"gate": "…", "user": "<you>", "comment": "…"}`.',
    'The `status` query shows the phase, what it waits for, gates, backups and the change register.',
  ].join('\n');
}
