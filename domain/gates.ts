/** Gate rules of docs/approvals-locks-windows.md, as pure functions shared by workflows, validators and tests. */
import type { DecisionSignature, TrustedKey } from './decision-signatures';

export type TimeoutAction = 'reject' | 'escalate' | 'remind';

/** A role from the inventory's approver list, resolved to its members by whoever opens the gate. */
export interface ApproverRole {
  name: string;
  members: string[];
}

/** Who is added, and how long they get, when a gate with `onTimeout: 'escalate'` times out. */
export interface GateEscalation {
  approvers: string[];
  timeoutSeconds: number;
}

export interface GateDefinition {
  /** Wire name used in signals and updates, e.g. `uat-push`. */
  name: string;
  /** User names allowed to decide. */
  approvers: string[];
  /** Members of this role may decide too. */
  role?: ApproverRole;
  requiredApprovals: number;
  timeoutSeconds: number;
  onTimeout: TimeoutAction;
  /** Required when `onTimeout` is `escalate`. */
  escalation?: GateEscalation;
  /** Remind approvers who have not decided yet, every so many seconds. */
  reminderEverySeconds?: number;
  /**
   * Keys whose signature makes a decision count (docs/approvals-locks-windows.md "Signed
   * decisions"). Absent or empty: decisions are not authenticated, the embedded default.
   */
  trustedKeys?: TrustedKey[];
}

export type DecisionKind = 'approve' | 'reject';

export interface GateDecision {
  gate: string;
  user: string;
  comment?: string;
  /**
   * Set by the client on the signal it sends after the `decide` Update was refused, so the
   * refusal is recorded: it never counts, even if the gate has opened since.
   */
  refusedByUpdate?: string;
  /** Required when the gate has trusted keys; covers the canonical decision (domain/decision-signatures.ts). */
  signature?: DecisionSignature;
}

export interface RecordedDecision extends GateDecision {
  decision: DecisionKind;
  at: string;
  counted: boolean;
  /** Why a decision did not count; absent when it counted. */
  refusal?: string;
  /** The request round it was made in (see `GateState.round`). */
  round?: number;
  /** The trusted key whose signature made it count; absent when the gate trusts no key. */
  signedBy?: string;
}

/** How one request round ends. */
export type GateOutcome = 'approved' | 'rejected' | 'timed-out';

/**
 * Where a gate stands. `needs-resolution` follows a second rejection: only the release
 * manager moves it on, with `resolve` (ask again) or `cancel`.
 */
export type GatePhase = 'waiting' | 'needs-resolution' | 'approved' | 'cancelled';

export interface GateState {
  definition: GateDefinition;
  requestedBy: string;
  decisions: RecordedDecision[];
  /** Outcome of the current round; cleared when a new round starts. */
  outcome?: GateOutcome;
  phase?: GatePhase;
  /** Request round: 1, then one more for each re-request or resolve. Decisions count per round. */
  round?: number;
  /** True once a timeout escalated: the escalation approvers may decide too. */
  escalated?: boolean;
  /** `resolve` and `cancel` requests from release managers, counted or not. */
  resolutions?: RecordedResolution[];
}

export type ResolutionKind = 'resolve' | 'cancel';

export interface RecordedResolution {
  kind: ResolutionKind;
  gate: string;
  user: string;
  comment?: string;
  at: string;
  counted: boolean;
  refusal?: string;
}

/** After this many rejected rounds in a row the gate needs the release manager (docs/approvals-locks-windows.md "Gates": re-request once). */
export const ROUNDS_BEFORE_RESOLUTION = 2;

/** docs/approvals-locks-windows.md "Signed decisions": what a status shows about who can be believed. */
export function authenticationNote(definition: GateDefinition): string {
  const keys = definition.trustedKeys ?? [];
  return keys.length
    ? `decisions count only signed by a trusted key (${keys.map((k) => k.id).join(', ')})`
    : 'decisions are not authenticated (the inventory names no trusted keys)';
}

/** Everyone who may decide on the gate now. */
export function eligibleApprovers(definition: GateDefinition, escalated = false): string[] {
  const all = [
    ...definition.approvers,
    ...(definition.role?.members ?? []),
    ...(escalated ? (definition.escalation?.approvers ?? []) : []),
  ];
  return [...new Set(all)];
}

/** Eligible approvers who have not yet made a counted decision in the current round. */
export function pendingApprovers(state: GateState): string[] {
  const decided = new Set(
    currentRound(state)
      .filter((d) => d.counted)
      .map((d) => d.user),
  );
  return eligibleApprovers(state.definition, state.escalated).filter(
    (user) => user !== state.requestedBy && !decided.has(user),
  );
}

/** Decisions of the round in progress. */
export function currentRound(state: GateState): RecordedDecision[] {
  const round = state.round ?? 1;
  return state.decisions.filter((d) => (d.round ?? 1) === round);
}

/** Why `decision` would not count on `state`, or undefined when it would. */
export function refusalFor(state: GateState, decision: GateDecision): string | undefined {
  const { definition } = state;
  if (decision.gate !== definition.name) {
    return `gate '${decision.gate}' is not open; the open gate is '${definition.name}'`;
  }
  if (state.phase === 'needs-resolution') {
    return `gate '${definition.name}' was rejected twice and waits for the release manager to resolve or cancel it`;
  }
  if (state.phase === 'cancelled') return `gate '${definition.name}' is cancelled`;
  if (state.outcome) return `gate '${definition.name}' is already ${state.outcome}`;
  if (!decision.user?.trim()) return 'a decision must name the user who makes it';
  if (decision.user === state.requestedBy) {
    return `${decision.user} started this release and cannot approve or reject it`;
  }
  if (!eligibleApprovers(definition, state.escalated).includes(decision.user)) {
    return `${decision.user} is not an approver of gate '${definition.name}'`;
  }
  if (currentRound(state).some((d) => d.counted && d.user === decision.user)) {
    return `${decision.user} has already decided on gate '${definition.name}'`;
  }
  return undefined;
}

/**
 * Why a release manager's `resolve` or `cancel` would not count. `resolve` only applies to a
 * gate in `needs-resolution`; `cancel` to any gate still open.
 */
export function resolutionRefusalFor(
  state: GateState,
  kind: ResolutionKind,
  request: { gate: string; user: string },
  releaseManagers: string[],
): string | undefined {
  const { name } = state.definition;
  if (request.gate !== name) return `gate '${request.gate}' is not open; the open gate is '${name}'`;
  if (!releaseManagers.includes(request.user)) {
    return `${request.user} is not a release manager of this release (${releaseManagers.join(', ')})`;
  }
  if (state.phase === 'approved' || state.phase === 'cancelled') return `gate '${name}' is already ${state.phase}`;
  if (kind === 'resolve' && state.phase !== 'needs-resolution') {
    return `gate '${name}' does not need resolution; it is ${state.phase ?? 'waiting'}`;
  }
  return undefined;
}

/** The outcome once `decisions` are counted: one rejection rejects, N approvals approve. */
export function outcomeOf(definition: GateDefinition, decisions: RecordedDecision[]): GateOutcome | undefined {
  const counted = decisions.filter((d) => d.counted);
  if (counted.some((d) => d.decision === 'reject')) return 'rejected';
  if (counted.filter((d) => d.decision === 'approve').length >= definition.requiredApprovals) return 'approved';
  return undefined;
}

/** Approvals still needed in the current round; 0 once the round is decided. */
export function approvalsStillNeeded(state: GateState): number {
  if (state.outcome) return 0;
  const approvals = currentRound(state).filter((d) => d.counted && d.decision === 'approve').length;
  return Math.max(0, state.definition.requiredApprovals - approvals);
}

/**
 * Problems that make the gate impossible to pass. With `requestedBy`, the starter is not
 * counted among the approvers, since they may not approve their own release.
 */
export function validateGateDefinition(definition: GateDefinition, requestedBy?: string): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(definition.name)) {
    problems.push(`gate name '${definition.name}' must be lower-case letters, digits and dashes`);
  }
  const approvers = eligibleApprovers(definition).filter((user) => user !== requestedBy);
  if (!Number.isInteger(definition.requiredApprovals) || definition.requiredApprovals < 1) {
    problems.push(`gate '${definition.name}': requiredApprovals must be a whole number ≥ 1`);
  } else if (definition.requiredApprovals > approvers.length) {
    const besides = requestedBy && eligibleApprovers(definition).includes(requestedBy) ? ` besides ${requestedBy}` : '';
    problems.push(
      `gate '${definition.name}': requiredApprovals (${definition.requiredApprovals}) exceeds the ${approvers.length} approvers${besides}`,
    );
  }
  if (!(definition.timeoutSeconds > 0)) problems.push(`gate '${definition.name}': timeoutSeconds must be > 0`);
  problems.push(...timeoutActionProblems(definition));
  return problems;
}

function timeoutActionProblems(definition: GateDefinition): string[] {
  const problems: string[] = [];
  if (!['reject', 'escalate', 'remind'].includes(definition.onTimeout)) {
    problems.push(
      `gate '${definition.name}': onTimeout must be reject, escalate or remind, not '${definition.onTimeout}'`,
    );
  }
  if (definition.onTimeout === 'escalate') {
    const escalation = definition.escalation;
    if (!escalation || escalation.approvers.length === 0) {
      problems.push(`gate '${definition.name}': onTimeout 'escalate' needs escalation.approvers`);
    } else if (!(escalation.timeoutSeconds > 0)) {
      problems.push(`gate '${definition.name}': escalation.timeoutSeconds must be > 0`);
    }
  }
  if (definition.reminderEverySeconds !== undefined && !(definition.reminderEverySeconds > 0)) {
    problems.push(`gate '${definition.name}': reminderEverySeconds must be > 0`);
  }
  return problems;
}
