/**
 * The release lifecycle of SPEC §4 (seed 000 "Data Migration Process"): inputs, phases and
 * the status a release reports. Pure: shared by the workflow, the client and the tests.
 */
import type { GateState } from './gates';
import type { Landscape } from './landscapes';
import type { ReleaseSettingsSpec } from './release-settings';
import type { PackageRef } from './packages/package-types';

/** Wire values: stored in the histories of running releases. */
export const RELEASE_VARIANTS = ['standard', 'withoutUat', 'initialProvisioning'] as const;
export type ReleaseVariant = (typeof RELEASE_VARIANTS)[number];

export const RELEASE_WORKFLOW_TYPE = 'release';

/**
 * Where a release stands; also its `StagecoachPhase` search attribute. `provision` is the
 * initial-provisioning variant's first step (production 0.0 from a template, staging from it).
 */
export type ReleasePhase =
  | 'starting'
  | 'provision'
  | 'baseline'
  | 'configure'
  | 'uat-refresh'
  | 'uat-push'
  | 'acceptance'
  | 'production-push'
  | 'afterwards'
  | 'completed'
  | 'cancelled'
  | 'failed';

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

/** A change recorded in the change register during configuration (seed 000 Step 2). */
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

/** Problems with a release input, each naming the field; empty when it can start. */
export function releaseInputProblems(input: ReleaseInput): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(input.tenant ?? '')) problems.push(`tenant '${input.tenant}' must be lower-case letters, digits and dashes`);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(input.version ?? '')) problems.push(`version '${input.version}' must be letters, digits, dots, dashes or underscores`);
  if (!input.startedBy?.trim()) problems.push('startedBy must name the release manager who starts the release');
  const variant = input.variant ?? 'standard';
  if (!(RELEASE_VARIANTS as readonly string[]).includes(variant)) problems.push(`variant must be one of ${RELEASE_VARIANTS.join(', ')}, not '${variant}'`);
  if (variant === 'initialProvisioning') {
    if (!input.templatePackage) problems.push('initialProvisioning needs templatePackage (the template production 0.0 is created from)');
    if (!input.goLiveDate || Number.isNaN(Date.parse(input.goLiveDate))) problems.push(`initialProvisioning needs goLiveDate as an ISO date, not '${input.goLiveDate}'`);
  }
  if (input.packages && input.packages.length === 0) problems.push('packages, when given, must name at least one package');
  return problems;
}

/** Landscapes a variant works on: production and staging always, UAT in a standard release. */
export function landscapesOf(variant: ReleaseVariant): Landscape[] {
  return variant === 'standard' ? ['production', 'staging', 'uat'] : ['production', 'staging'];
}
