import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  DecisionKind,
  GateDecision,
  GateDefinition,
  GateState,
  RecordedDecision,
  RecordedResolution,
} from '../domain/gates';
import type { InstanceRef } from '../domain/landscapes';
import type { PackageRef } from '../domain/packages/package-types';
import type { AnalyzePackageResult, PackageReport } from './packages';
import type { AcceptanceLogResult } from './releases';
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

export interface ApprovalInput {
  /** What is being approved, for people reading the Web UI and the audit table. */
  subject: string;
  requestedBy: string;
  gate: GateDefinition;
  /** Who may `resolve` or `cancel` the gate; defaults to `requestedBy`. */
  releaseManagers?: string[];
}

export interface ApprovalResult {
  /** `cancelled` when a release manager gave up (after two rejections, or at any time). */
  outcome: GateVerdict;
  decisions: RecordedDecision[];
  resolutions: RecordedResolution[];
}

/** How a gate ends: approved, or cancelled by a release manager. */
export type GateVerdict = 'approved' | 'cancelled';

/**
 * What an approver is shown at a release gate (docs/approvals-locks-windows.md "Approval service"): each
 * package's impact with its high-impact changes, a dry run on the gate's target, and UAT's log since the push.
 */
export interface GateBriefingInput {
  packages: PackageRef[];
  /** The instance the gate lets the packages reach: checked by a dry run, nothing changed. */
  target?: InstanceRef;
  /** At the production-push gate: configuration errors UAT logged since the push to it. */
  uatLogSince?: { instance: InstanceRef; since: string };
}

export interface GateBriefing {
  packages: AnalyzePackageResult[];
  /** One dry run per package on the target. */
  previews: PackageReport[];
  uatLog?: AcceptanceLogResult;
  /** What could not be worked out, by name (a package that no longer loads, a target that is down). */
  problems: string[];
}
