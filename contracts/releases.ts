import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { GateState } from '../domain/gates';
import type { Landscape } from '../domain/landscapes';
import type { PackageRef } from '../domain/packages/package-types';
import type { ReleaseSettingsSpec } from '../domain/release-settings';
import type { ReleasePhase, ReleaseVariant } from '../domain/releases';
/** Step 2 ends: the configuration on staging is ready, and these packages carry it. */
export const configurationReadySignal = defineSignal<[ConfigurationReady]>('configurationReady');

/** Step 2: a change made on staging, for the change register (docs/releases.md "Configure"). */
export const registerChangeSignal = defineSignal<[RegisterChange]>('registerChange');

/** After a failed push (step 4 or 6): the corrected package(s) to push again. */
export const correctedPackageSignal = defineSignal<[CorrectedPackage]>('correctedPackage');

/**
 * The same two requests as Updates: the validator refuses at once, naming why (the CLI then
 * sends the signal as well, so the refusal is in the history and the audit table).
 */
export const configurationReadyUpdate = defineUpdate<ReleaseRequestAnswer, [ConfigurationReady]>('configuration-ready');

export const correctedPackageUpdate = defineUpdate<ReleaseRequestAnswer, [CorrectedPackage]>('corrected-package');

/**
 * docs/approvals-locks-windows.md "Who may act": a release manager of the release cancels it, named and
 * recorded; the release undoes its flag changes, releases its locks and ends `cancelled`.
 */
export interface CancelReleaseRequest {
  user: string;
  reason: string;
}
export const cancelReleaseUpdate = defineUpdate<{ cancelled: true }, [CancelReleaseRequest]>('cancel-release');

export interface ReleaseRequestAnswer {
  accepted: true;
  phase: ReleaseStatus['phase'];
}

/**
 * A release's status. Same wire name as an approval's `status`, with a superset shape
 * (`gate`, `stray`), so tools that read an approval's gate work on releases too.
 */
export const releaseStatusQuery = defineQuery<ReleaseStatus>('status');

export const RELEASE_WORKFLOW_TYPE = 'release';

export interface ReleaseInput {
  tenant: string;
  /** The release's version, e.g. `2.0`: the workflow id is `release/<tenant>/<version>`. */
  version: string;
  /** Who starts it: a release manager, who may not approve its gates. */
  startedBy: string;
  variant?: ReleaseVariant;
  /** Packages known at the start; otherwise the release waits for `configurationReady` naming them. */
  packages?: PackageRef[];
  /** Overrides of the inventory's release settings (durations, gates, backup type, windows). */
  settings?: ReleaseSettingsSpec;
  /** Backup type `copied`: the file in staging's backup location. */
  backupFileName?: string;
  /** Initial provisioning: the package production 0.0 is created from (a customer template). */
  templatePackage?: PackageRef;
  /** Initial provisioning: the planned go-live date (ISO); production locks itself 10 days after it. */
  goLiveDate?: string;
}

/** A change recorded in the change register during configuration (docs/releases.md "Configure"). */
export interface ChangeEntry {
  user: string;
  description: string;
  /** Optional reference to a ticket or service request. */
  reference?: string;
  at: string;
}

export interface ConfigurationReady {
  user: string;
  packages: PackageRef[];
  comment?: string;
  /** Set on the signal the client sends after the Update was refused: recorded, never taken. */
  refusedByUpdate?: string;
}

export interface CorrectedPackage {
  user: string;
  packages: PackageRef[];
  comment?: string;
  /** Set on the signal the client sends after the Update was refused: recorded, never taken. */
  refusedByUpdate?: string;
}

export interface RegisterChange {
  user: string;
  description: string;
  reference?: string;
}

export interface ReleaseBackup {
  /** Why it was taken: `baseline`, `production-push-1`, `afterwards`… */
  purpose: string;
  instance: Landscape;
  backupId: number;
  path: string;
  sha256: string;
  at: string;
}

export interface PushAttempt {
  target: Landscape;
  attempt: number;
  packages: string[];
  at: string;
  outcome: 'applied' | 'failed' | 'rolled-back';
  error?: string;
}

export interface PhaseRecord {
  phase: ReleasePhase;
  startedAt: string;
  endedAt?: string;
  note?: string;
}

/**
 * The `status` query of a release. `gate` and `stray` keep the shape of an approval's status,
 * so the client's resolve/cancel helpers work on releases too.
 */
export interface ReleaseStatus {
  releaseId: string;
  tenant: string;
  version: string;
  variant: ReleaseVariant;
  startedBy: string;
  phase: ReleasePhase;
  waitingFor?: string;
  /** The open gate, or the last one. */
  gate?: GateState;
  gates: GateState[];
  stray: { kind: string; request: { gate: string; user: string; comment?: string }; at: string; refusal: string }[];
  packages: PackageRef[];
  changeRegister: ChangeEntry[];
  backups: ReleaseBackup[];
  pushes: PushAttempt[];
  timeline: PhaseRecord[];
  /** Why the release went back to step 4, or why it failed. */
  problems: string[];
  outcome?: 'completed' | 'cancelled' | 'failed';
}

export interface ReleaseResult {
  outcome: 'completed' | 'cancelled';
  status: ReleaseStatus;
}

export function releaseWorkflowId(tenant: string, version: string): string {
  return `release/${tenant}/${version}`;
}

export interface ResolveReleaseSettingsInput {
  tenant: string;
  version: string;
  startedBy: string;
  variant: ReleaseVariant;
  overrides?: ReleaseSettingsSpec;
}

export interface AcceptanceLogResult {
  instance: string;
  configurationErrors: number;
  /** The first few, as `<logged_at> <message>`. */
  samples: string[];
}
