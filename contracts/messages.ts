/**
 * Every signal, query and update, defined once with its payload types. Names are wire
 * names: renaming one breaks workflows that are already running.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { GateDecision, GateState, DecisionKind } from '../domain/gates';
import type { LockHolder, LockRequest } from '../domain/instance-locks';
import type { Freeze } from '../domain/maintenance-windows';
import type { ConfigurationReady, CorrectedPackage, RegisterChange, ReleaseStatus } from '../domain/releases';

/** Signals: what an approver sends from the Web UI's "Send signal" (JSON `{gate,user,comment}`). */
export const approveSignal = defineSignal<[GateDecision]>('approve');
export const rejectSignal = defineSignal<[GateDecision]>('reject');

export interface DecideRequest extends GateDecision {
  decision: DecisionKind;
}
export interface DecideResult {
  counted: true;
  gate: string;
  /** Approvals still needed after this decision; 0 once the gate is decided. */
  approvalsStillNeeded: number;
}
/** Update: answers the caller at once whether the decision counted (validator refuses otherwise). */
export const decideUpdate = defineUpdate<DecideResult, [DecideRequest]>('decide');

/**
 * Signals from a release manager to a gate in `needs-resolution` (`resolve`: ask the approvers
 * again) or to any open gate (`cancel`: give up). Same JSON shape as decisions, for the Web UI.
 */
export interface ResolutionRequest {
  gate: string;
  user: string;
  comment?: string;
}
export const resolveSignal = defineSignal<[ResolutionRequest]>('resolve');
export const cancelSignal = defineSignal<[ResolutionRequest]>('cancel');

export interface ApprovalStatus {
  subject: string;
  gate: GateState;
  waitingFor?: string;
  /** Decisions and resolutions that arrived while no gate was open; recorded, never counted. */
  stray?: StrayMessage[];
}
export const approvalStatusQuery = defineQuery<ApprovalStatus>('status');

export interface StrayMessage {
  kind: DecisionKind | 'resolve' | 'cancel';
  request: GateDecision;
  at: string;
  refusal: string;
}

/* ── Instance lock (SPEC §5): one `instanceLock` workflow per tenant instance ── */

export type { LockHolder, LockRequest } from '../domain/instance-locks';
export const acquireLockSignal = defineSignal<[LockRequest]>('acquire-lock');

/**
 * The same request as an Update (sent with update-with-start): a free lock grants it in the
 * handler and says so in the answer, so the holder needs no grant signal; a busy lock queues it
 * and signals the grant later, as for the signal.
 */
export interface LockAcquireAnswer {
  granted: boolean;
}
export const acquireLockUpdate = defineUpdate<LockAcquireAnswer, [LockRequest]>('acquire-lock');

/** From the holder when it is done, or to withdraw a request still in the queue. */
export interface LockRelease {
  requestId: string;
  holderWorkflowId: string;
}
export const releaseLockSignal = defineSignal<[LockRelease]>('release-lock');

/**
 * Sent by the lock to the holder. One signal name per lock workflow, so a workflow waiting for
 * several instances at once (production and staging) has one handler per lock.
 */
export interface LockGrant {
  requestId: string;
  lockWorkflowId: string;
}
export const lockGrantedSignalFor = (lockWorkflowId: string) => defineSignal<[LockGrant]>(`lock-granted:${lockWorkflowId}`);

/** An admin frees the instance from a holder that will not release it; audited with the reason. */
export interface ForceReleaseRequest {
  user: string;
  reason: string;
  /** When given, only this request is released (protects against releasing a newer holder). */
  requestId?: string;
}
export interface ForceReleaseResult {
  released: LockHolder;
}
export const forceReleaseLockUpdate = defineUpdate<ForceReleaseResult, [ForceReleaseRequest]>('force-release-lock');

export interface InstanceLockStatus {
  lockWorkflowId: string;
  holder?: LockHolder;
  queue: LockRequest[];
}
export const lockStatusQuery = defineQuery<InstanceLockStatus>('lock-status');

/* ── Maintenance windows and freezes (SPEC §5): a workflow waiting for a window ── */

/** A freeze declared while a workflow already waits; it is taken into account at once. */
export const addFreezeSignal = defineSignal<[Freeze]>('add-freeze');

/** An admin lets this workflow through a freeze; audited with the reason. */
export interface FreezeOverrideRequest {
  freezeId: string;
  user: string;
  reason: string;
}
export const overrideFreezeSignal = defineSignal<[FreezeOverrideRequest]>('override-freeze');

export interface MaintenanceWindowStatus {
  tenant: string;
  waiting: boolean;
  /** When the wait ends (ISO), as computed now; absent once open or when nothing opens. */
  opensAt?: string;
  freezes: Freeze[];
  overrides: (FreezeOverrideRequest & { at: string; counted: boolean; refusal?: string })[];
}
export const maintenanceWindowQuery = defineQuery<MaintenanceWindowStatus>('maintenance-window');

/* ── Release (SPEC §4): one `release` workflow per tenant release ── */

export type { ChangeEntry, ConfigurationReady, CorrectedPackage, RegisterChange, ReleaseStatus } from '../domain/releases';

/** Step 2 ends: the configuration on staging is ready, and these packages carry it. */
export const configurationReadySignal = defineSignal<[ConfigurationReady]>('configurationReady');
/** Step 2: a change made on staging, for the change register (seed 000). */
export const registerChangeSignal = defineSignal<[RegisterChange]>('registerChange');
/** After a failed push (step 4 or 6): the corrected package(s) to push again. */
export const correctedPackageSignal = defineSignal<[CorrectedPackage]>('correctedPackage');
/**
 * The same two requests as Updates: the validator refuses at once, naming why (the CLI then
 * sends the signal as well, so the refusal is in the history and the audit table).
 */
export const configurationReadyUpdate = defineUpdate<ReleaseRequestAnswer, [ConfigurationReady]>('configuration-ready');
export const correctedPackageUpdate = defineUpdate<ReleaseRequestAnswer, [CorrectedPackage]>('corrected-package');
export interface ReleaseRequestAnswer {
  accepted: true;
  phase: ReleaseStatus['phase'];
}
/**
 * A release's status. Same wire name as an approval's `status`, with a superset shape
 * (`gate`, `stray`), so tools that read an approval's gate work on releases too.
 */
export const releaseStatusQuery = defineQuery<ReleaseStatus>('status');
