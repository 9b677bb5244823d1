import { executeChild, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { InstanceRef, Landscape } from '../../domain/landscapes';
import type { ReleaseSettings } from '../../domain/release-settings';
import type { AuditTrail } from '../audit-trail';
import type { GateKeeper } from '../gates/gate-keeper';
import type { ReleaseState } from './release-state';
import type { Saga } from './saga';
import type { ReleaseInput } from '../../contracts/releases';
import type { CopyDatabaseInput, CopyDatabaseResult } from '../../contracts/database';
import type { DeployPackageInput, DeployPackageResult } from '../../contracts/packages';
// Flags and checks are short; a worker that dies mid-call is replaced within a minute.
export const quick = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '30 seconds', maximumAttempts: 10 },
});

// Backups and restores heartbeat: a silent worker is replaced within 10 s.
export const long = proxyActivities<Activities>({
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '10 seconds',
  retry: { maximumInterval: '2 minutes', maximumAttempts: 10 },
});

/** Everything a step needs; built once by the release workflow. */
export interface ReleaseContext {
  input: ReleaseInput;
  settings: ReleaseSettings;
  state: ReleaseState;
  gates: GateKeeper;
  trail: AuditTrail;
  saga: Saga;
  instance(landscape: Landscape): InstanceRef;
  /** Child workflow ids: `release/<tenant>/<version>/<step>`, so a replayed step finds its child. */
  childId(step: string): string;
}

/** A gate cancelled by a release manager ends the release (after its compensations). */
export class ReleaseCancelledByGate extends Error {
  constructor(readonly gate: string) {
    super(`gate '${gate}' was cancelled by a release manager`);
  }
}

export async function copyDatabaseStep(
  ctx: ReleaseContext,
  step: string,
  input: CopyDatabaseInput,
): Promise<CopyDatabaseResult> {
  const result = await executeChild('copyDatabase', {
    workflowId: ctx.childId(step),
    args: [input],
    staticSummary: `${step}: copy ${input.tenant} ${input.source} → ${input.target} (${input.backupType} backup)`,
  });
  ctx.state.recordBackup({
    purpose: step,
    instance: input.source,
    backupId: result.backup.backupId,
    path: result.backup.path,
    sha256: result.backup.sha256,
    at: new Date().toISOString(),
  });
  return result;
}

/** Validates then applies each package on the target, one `deployPackage` child per package. */
export async function deployPackagesStep(
  ctx: ReleaseContext,
  step: string,
  target: Landscape,
  backupId?: number,
): Promise<DeployPackageResult[]> {
  const results: DeployPackageResult[] = [];
  for (const [index, ref] of ctx.state.status.packages.entries()) {
    const input: DeployPackageInput = {
      target: ctx.instance(target),
      package: ref,
      ...(backupId !== undefined ? { backupId: String(backupId) } : {}),
    };
    results.push(
      await executeChild('deployPackage', {
        workflowId: ctx.childId(`${step}/package-${index + 1}`),
        args: [input],
        staticSummary: `${step}: package ${index + 1} of ${ctx.state.status.packages.length} → ${ctx.input.tenant}/${target}`,
      }),
    );
  }
  return results;
}

export async function openGate(ctx: ReleaseContext, name: keyof ReleaseSettings['gates']): Promise<void> {
  const { verdict } = await ctx.gates.run(ctx.settings.gates[name]);
  if (verdict === 'cancelled') throw new ReleaseCancelledByGate(name);
}

/** Sets an instance flag and registers its undo, so a cancelled release leaves the flag as it was. */
export async function setFlag(
  ctx: ReleaseContext,
  landscape: Landscape,
  flag: 'metadataLocked' | 'maintenanceMode',
  value: boolean,
  why: string,
): Promise<void> {
  const instance = ctx.instance(landscape);
  const change =
    flag === 'metadataLocked'
      ? await quick.setMetadataLock.executeWithOptions(
          { summary: `${why}: metadata of ${landscape} ${value ? 'locked' : 'unlocked'}` },
          [{ instance, locked: value }],
        )
      : await quick.setMaintenanceMode.executeWithOptions(
          { summary: `${why}: ${landscape} maintenance mode ${value ? 'on' : 'off'}` },
          [{ instance, on: value }],
        );
  ctx.trail.record('instance-flag-set', undefined, {
    instance: landscape,
    flag,
    value,
    previous: change.previous,
    why,
  });
  if (!change.changed) return;
  const previous = change.previous ?? false;
  ctx.saga.push(`restore ${flag} of ${landscape} to ${previous}`, async () => {
    if (flag === 'metadataLocked') await quick.setMetadataLock({ instance, locked: previous });
    else await quick.setMaintenanceMode({ instance, on: previous });
  });
}

export function isCancelled(error: unknown): boolean {
  return isCancellation(error) || error instanceof ReleaseCancelledByGate;
}

export function releaseChildId(step: string): string {
  return `${workflowInfo().workflowId}/${step}`;
}
