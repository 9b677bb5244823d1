/**
 * Releases (docs/releases.md) through the client library: `client.releases` starts them, reads
 * their status, sends the configuration phase's requests, cancels, lists, and keeps the staging
 * refresh Schedule. Gate decisions use `client.approvals` with the release's workflow id.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import { releaseInputProblems } from '../domain/releases';
import { describePackageRef, type PackageRef } from '../domain/packages/package-types';
import type { ClientCore } from './core';
import { type FailureNaming, InvalidReleaseInputError, RefusedError, ReleaseAlreadyStartedError } from './errors';
import { searchAttributesFor, type WorkflowListing } from './workflow-progress';
import {
  type CancelReleaseRequest,
  cancelReleaseUpdate,
  type ConfigurationReady,
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

export interface StartedRelease {
  workflowId: string;
  runId: string;
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

export class Releases {
  constructor(private readonly core: ClientCore) {}

  /** Starts release/<tenant>/<version>; InvalidReleaseInputError or ReleaseAlreadyStartedError start nothing. */
  async start(input: ReleaseInput): Promise<StartedRelease> {
    const problems = releaseInputProblems(input);
    if (problems.length > 0) throw new InvalidReleaseInputError(problems);
    const workflowId = releaseWorkflowId(input.tenant, input.version);
    const alreadyStarted = async () => {
      const description = await this.core.handle(workflowId).describe();
      return new ReleaseAlreadyStartedError(
        workflowId,
        description.status.name === 'RUNNING' ? 'running' : 'completed',
      );
    };
    const handle = await this.core.start(
      RELEASE_WORKFLOW_TYPE,
      workflowId,
      input,
      {
        // A failed or cancelled release may be started again under its id; a completed one not.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        typedSearchAttributes: searchAttributesFor({ tenant: input.tenant, version: input.version, phase: 'starting' }),
        staticSummary: `Release ${input.tenant} ${input.version} (${input.variant ?? 'standard'}) by ${input.startedBy}`,
        staticDetails: releaseDetails(input),
      },
      { alreadyStarted },
    );
    return { workflowId, runId: handle.firstExecutionRunId };
  }

  async status(workflowId: string): Promise<ReleaseStatus> {
    return this.core.call(workflowId, (handle) => handle.query(releaseStatusQuery));
  }

  /** Waits for the release to end: `completed`, or `cancelled` by a gate's release manager. */
  async result(workflowId: string): Promise<ReleaseResult> {
    return this.core.call(workflowId, (handle) => handle.result() as Promise<ReleaseResult>);
  }

  /**
   * Step 2 ends: the configuration on staging is ready in these packages. Throws RefusedError,
   * naming why, when the release does not take it now.
   */
  async configurationReady(workflowId: string, user: string, packages: PackageRef[], comment?: string): Promise<void> {
    await this.sendPackages(workflowId, configurationReadyUpdate, configurationReadySignal, {
      user,
      packages,
      comment,
    });
  }

  async registerChange(workflowId: string, change: RegisterChange): Promise<void> {
    await this.core.call(workflowId, (handle) => handle.signal(registerChangeSignal, change));
  }

  /**
   * After a failed push: the corrected package(s); the release pushes them to UAT again. Throws
   * RefusedError when the release is not waiting for one.
   */
  async correctedPackage(workflowId: string, user: string, packages: PackageRef[], comment?: string): Promise<void> {
    await this.sendPackages(workflowId, correctedPackageUpdate, correctedPackageSignal, { user, packages, comment });
  }

  /** Packages handed to a waiting release: the Update, and its signal when refused (named by the signal). */
  private async sendPackages(
    workflowId: string,
    update: typeof configurationReadyUpdate,
    signal: typeof configurationReadySignal,
    request: ConfigurationReady,
  ): Promise<void> {
    await this.core.updateOrRecordRefusal(
      workflowId,
      { update, request, signal, recorded: request },
      refusedAs(signal.name),
    );
  }

  /**
   * Cancels a release: it undoes its flag changes, releases its instance locks and ends as
   * cancelled. (A gate's `cancel` signal from a release manager ends it the same way.)
   */
  /**
   * Cancels a release. With `request` (what the CLI sends) a release manager of the release cancels it, named
   * and recorded, or RefusedError says why not (docs/approvals-locks-windows.md "Who may act"); without, the
   * workflow is cancelled as the Web UI's button does, naming nobody.
   */
  async cancel(workflowId: string, request?: CancelReleaseRequest): Promise<void> {
    if (!request) {
      await this.core.call(workflowId, (handle) => handle.cancel());
      return;
    }
    await this.core.call(workflowId, (handle) => handle.executeUpdate(cancelReleaseUpdate, { args: [request] }), {
      refused: (id, failure) => new RefusedError(id, failure.message, 'Cancellation'),
    });
  }

  /** Releases, newest first; narrowed by tenant, phase or what they wait for. */
  async list(
    filter: { tenant?: string; phase?: string; waitingFor?: string; open?: boolean } = {},
    limit = 100,
  ): Promise<WorkflowListing[]> {
    return this.core.list({ ...filter, type: RELEASE_WORKFLOW_TYPE }, limit);
  }

  /**
   * Creates or updates the tenant's staging refresh Schedule (docs/releases.md "Staging refresh": refresh staging from
   * production periodically). A refresh that finds the previous one still running is skipped.
   */
  async scheduleStagingRefresh(schedule: StagingRefreshSchedule): Promise<string> {
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
      taskQueue: this.core.taskQueue,
      args: [input],
      typedSearchAttributes: searchAttributesFor({ tenant: schedule.tenant, phase: 'staging-refresh' }),
    };
    const schedules = this.core.temporal.schedule;
    try {
      await schedules.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await schedules.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
    }
    return scheduleId;
  }
}

/** A refused configuration-phase request is a RefusedError naming the signal that recorded it. */
function refusedAs(what: string): FailureNaming {
  return { refused: (workflowId, failure) => new RefusedError(workflowId, failure.message, what) };
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
