/** Gate rules of SPEC §5, as pure functions shared by workflows, validators and tests. */

export type TimeoutAction = 'reject' | 'escalate' | 'remind';

export interface GateDefinition {
  /** Wire name used in signals and updates, e.g. `uat-push`. */
  name: string;
  /** User names allowed to decide. */
  approvers: string[];
  requiredApprovals: number;
  timeoutSeconds: number;
  onTimeout: TimeoutAction;
}

export type DecisionKind = 'approve' | 'reject';

export interface GateDecision {
  gate: string;
  user: string;
  comment?: string;
}

export interface RecordedDecision extends GateDecision {
  decision: DecisionKind;
  at: string;
  counted: boolean;
  /** Why a decision did not count; absent when it counted. */
  refusal?: string;
}

export type GateOutcome = 'approved' | 'rejected' | 'timed-out';

export interface GateState {
  definition: GateDefinition;
  requestedBy: string;
  decisions: RecordedDecision[];
  outcome?: GateOutcome;
}

/** Why `decision` would not count on `state`, or undefined when it would. */
export function refusalFor(state: GateState, decision: GateDecision): string | undefined {
  const { definition } = state;
  if (decision.gate !== definition.name) {
    return `gate '${decision.gate}' is not open; the open gate is '${definition.name}'`;
  }
  if (state.outcome) return `gate '${definition.name}' is already ${state.outcome}`;
  if (!decision.user?.trim()) return 'a decision must name the user who makes it';
  if (decision.user === state.requestedBy) {
    return `${decision.user} started this release and cannot approve or reject it`;
  }
  if (!definition.approvers.includes(decision.user)) {
    return `${decision.user} is not an approver of gate '${definition.name}'`;
  }
  if (state.decisions.some((d) => d.counted && d.user === decision.user)) {
    return `${decision.user} has already decided on gate '${definition.name}'`;
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

export function validateGateDefinition(definition: GateDefinition): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(definition.name)) {
    problems.push(`gate name '${definition.name}' must be lower-case letters, digits and dashes`);
  }
  if (!Number.isInteger(definition.requiredApprovals) || definition.requiredApprovals < 1) {
    problems.push(`gate '${definition.name}': requiredApprovals must be a whole number ≥ 1`);
  } else if (definition.requiredApprovals > definition.approvers.length) {
    problems.push(
      `gate '${definition.name}': requiredApprovals (${definition.requiredApprovals}) exceeds the ${definition.approvers.length} approvers`,
    );
  }
  if (!(definition.timeoutSeconds > 0)) problems.push(`gate '${definition.name}': timeoutSeconds must be > 0`);
  return problems;
}
