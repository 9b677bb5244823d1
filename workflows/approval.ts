import {
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  outcomeOf,
  refusalFor,
  validateGateDefinition,
  type DecisionKind,
  type GateDecision,
  type GateDefinition,
  type GateOutcome,
  type GateState,
  type RecordedDecision,
} from '../domain/gates';
import { SEARCH_ATTRIBUTES } from '../domain/temporal-names';
import { approvalStatusQuery, approveSignal, decideUpdate, rejectSignal, type DecideResult } from './messages';

export interface ApprovalInput {
  /** What is being approved, for people reading the Web UI and the audit table. */
  subject: string;
  requestedBy: string;
  gate: GateDefinition;
}

export interface ApprovalResult {
  outcome: GateOutcome;
  decisions: RecordedDecision[];
}

const { recordAuditEvent } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '30 seconds' },
});

/** A single approval gate: waits for decisions by signal or update until decided or timed out. */
export async function approval(input: ApprovalInput): Promise<ApprovalResult> {
  const problems = validateGateDefinition(input.gate);
  if (problems.length > 0) {
    throw ApplicationFailure.create({ type: 'InvalidGate', message: problems.join('; '), nonRetryable: true });
  }
  const state: GateState = { definition: input.gate, requestedBy: input.requestedBy, decisions: [] };
  const unaudited: RecordedDecision[] = [];

  const receive = (decision: DecisionKind, request: GateDecision): RecordedDecision => {
    const refusal = refusalFor(state, request);
    const recorded: RecordedDecision = {
      gate: request.gate,
      user: request.user,
      comment: request.comment,
      decision,
      at: new Date().toISOString(),
      counted: refusal === undefined,
      refusal,
    };
    state.decisions.push(recorded);
    unaudited.push(recorded);
    state.outcome ??= outcomeOf(state.definition, state.decisions);
    return recorded;
  };

  // Handlers first, before any await, so an early signal is never dropped.
  setHandler(approveSignal, (request) => void receive('approve', request));
  setHandler(rejectSignal, (request) => void receive('reject', request));
  setHandler(
    decideUpdate,
    (request): DecideResult => {
      receive(request.decision, request);
      return { counted: true, gate: request.gate, approvalsStillNeeded: approvalsStillNeeded(state) };
    },
    {
      // Validators must not change state (they do not replay). A refused update leaves no
      // history event, so the client library re-sends it as a signal to be recorded.
      validator: (request) => {
        const refusal = refusalFor(state, request);
        if (refusal) throw new Error(refusal);
      },
    },
  );
  setHandler(approvalStatusQuery, () => ({
    subject: input.subject,
    gate: state,
    waitingFor: state.outcome ? undefined : `gate:${input.gate.name}`,
  }));

  upsertSearchAttributes({ [SEARCH_ATTRIBUTES.waitingFor]: [`gate:${input.gate.name}`] });
  let sequence = 0;
  const audit = (kind: string, actor: string | undefined, detail: Record<string, unknown>) =>
    recordAuditEvent({
      workflowId: workflowInfo().workflowId,
      kind,
      actor,
      subject: input.subject,
      detail,
      idempotencyKey: `${workflowInfo().workflowId}/${workflowInfo().runId}/${sequence++}`,
    });

  await audit('gate-opened', input.requestedBy, { gate: input.gate.name, approvers: input.gate.approvers });
  const deadline = Date.now() + input.gate.timeoutSeconds * 1000;
  while (!state.outcome) {
    const remaining = deadline - Date.now();
    const woke = remaining > 0 && (await condition(() => unaudited.length > 0 || !!state.outcome, remaining));
    await flushDecisions(unaudited, audit);
    if (!woke && !state.outcome) state.outcome = 'timed-out';
  }
  await flushDecisions(unaudited, audit);
  upsertSearchAttributes({ [SEARCH_ATTRIBUTES.waitingFor]: [] });
  await audit(`gate-${state.outcome}`, undefined, { gate: input.gate.name });
  return { outcome: state.outcome, decisions: state.decisions };
}

function approvalsStillNeeded(state: GateState): number {
  if (state.outcome) return 0;
  const approvals = state.decisions.filter((d) => d.counted && d.decision === 'approve').length;
  return Math.max(0, state.definition.requiredApprovals - approvals);
}

async function flushDecisions(
  unaudited: RecordedDecision[],
  audit: (kind: string, actor: string | undefined, detail: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  while (unaudited.length > 0) {
    const decision = unaudited.shift()!;
    await audit(decision.counted ? `decision-${decision.decision}` : 'decision-refused', decision.user, {
      gate: decision.gate,
      decision: decision.decision,
      comment: decision.comment,
      counted: decision.counted,
      refusal: decision.refusal,
    });
  }
}
