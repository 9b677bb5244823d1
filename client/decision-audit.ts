/**
 * `stagecoach approval verify`: re-verifies a workflow's gate decisions from its history alone
 * (docs/approvals-locks-windows.md "Signed decisions"). The trusted keys are read from the gate
 * definitions the history carries, every decision from the signal or Update that brought it, and
 * whether it counted from the audit rows the workflow scheduled. No query, no worker, no database.
 */
import type { temporal } from '@temporalio/proto';
import type { LoadedDataConverter, Payload } from '@temporalio/common';
import { signatureRefusal, type TrustedKey } from '../domain/decision-signatures';
import type { DecisionKind, GateDecision } from '../domain/gates';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface VerifiedDecision {
  /** History event that carried the decision. */
  eventId: number;
  at?: string;
  gate: string;
  user: string;
  decision: DecisionKind;
  comment?: string;
  round?: number;
  signedBy?: string;
  /** The signature checks out against a key the history names as trusted. */
  signatureValid: boolean;
  /** Why it does not, when it does not. */
  signatureProblem?: string;
  /** What the workflow recorded: counted, refused, or unknown (no audit row yet). */
  counted?: boolean;
}

export interface DecisionVerification {
  workflowId: string;
  /** Keys the history's gates trust; empty: decisions there are not authenticated. */
  trustedKeys: TrustedKey[];
  decisions: VerifiedDecision[];
  /** Counted decisions whose signature does not check out: each is a reason to distrust the result. */
  problems: string[];
}

/** Reads `events` (one workflow's history) and checks every decision in it. */
export async function verifyDecisions(
  workflowId: string,
  events: HistoryEvent[],
  converter: LoadedDataConverter,
): Promise<DecisionVerification> {
  const decode = async (payloads: Payload[] | null | undefined): Promise<unknown[]> => {
    let list = payloads ?? [];
    for (const codec of [...converter.payloadCodecs].reverse()) list = await codec.decode(list);
    return list.map((p) => converter.payloadConverter.fromPayload(p));
  };
  const keys = new Map<string, TrustedKey>();
  const sent: { event: HistoryEvent; decision: DecisionKind; request: GateDecision }[] = [];
  const audited: Record<string, unknown>[] = [];
  for (const event of events) {
    for (const value of await payloadsOf(event, decode)) collectTrustedKeys(value, keys);
    const decision = await decisionOf(event, decode);
    if (decision) sent.push({ event, ...decision });
    audited.push(...(await decisionAuditRows(event, decode)));
  }
  const trustedKeys = [...keys.values()];
  const decisions = sent.map(({ event, decision, request }) =>
    checkDecision(workflowId, trustedKeys, event, decision, request, audited),
  );
  const problems = decisions
    .filter((d) => d.counted && !d.signatureValid)
    .map((d) => `event ${d.eventId}: ${d.user}'s ${d.decision} on gate '${d.gate}' counted, but ${d.signatureProblem}`);
  if (trustedKeys.length === 0 && decisions.length > 0)
    problems.push(`no gate of ${workflowId} trusts a key: its decisions are not authenticated`);
  return { workflowId, trustedKeys, decisions, problems };
}

function checkDecision(
  workflowId: string,
  keys: TrustedKey[],
  event: HistoryEvent,
  decision: DecisionKind,
  request: GateDecision,
  audited: Record<string, unknown>[],
): VerifiedDecision {
  const round = request.signature?.round;
  const problem =
    keys.length === 0
      ? 'its gate trusts no key'
      : signatureRefusal(keys, { ...request, decision }, { workflowId, round: Number(round ?? 0) });
  // Rows are consumed in history order, so two identical decisions each find their own row.
  const index = audited.findIndex((r) => sameDecision(r, decision, request));
  const row = index >= 0 ? audited.splice(index, 1)[0] : undefined;
  return {
    eventId: Number(event.eventId),
    ...(event.eventTime?.seconds ? { at: new Date(Number(event.eventTime.seconds) * 1000).toISOString() } : {}),
    gate: request.gate,
    user: request.user,
    decision,
    ...(request.comment !== undefined ? { comment: request.comment } : {}),
    ...(round !== undefined ? { round } : {}),
    ...(request.signature ? { signedBy: request.signature.keyId } : {}),
    signatureValid: !problem,
    ...(problem ? { signatureProblem: problem } : {}),
    ...(row ? { counted: row.counted === true } : {}),
  };
}

/** The audit row the workflow scheduled for this decision (gate-keeper records each one, counted or not). */
function sameDecision(row: Record<string, unknown>, decision: DecisionKind, request: GateDecision): boolean {
  if (row.decision !== decision || row.gate !== request.gate || row.user !== request.user) return false;
  if ((row.comment ?? undefined) !== request.comment) return false;
  const signature = row.signature as GateDecision['signature'];
  return (signature?.value ?? undefined) === request.signature?.value;
}

async function payloadsOf(
  event: HistoryEvent,
  decode: (payloads: Payload[] | null | undefined) => Promise<unknown[]>,
): Promise<unknown[]> {
  if (event.workflowExecutionStartedEventAttributes)
    return decode(event.workflowExecutionStartedEventAttributes.input?.payloads as Payload[]);
  if (event.activityTaskCompletedEventAttributes)
    return decode(event.activityTaskCompletedEventAttributes.result?.payloads as Payload[]);
  return [];
}

async function decisionOf(
  event: HistoryEvent,
  decode: (payloads: Payload[] | null | undefined) => Promise<unknown[]>,
): Promise<{ decision: DecisionKind; request: GateDecision } | undefined> {
  const signal = event.workflowExecutionSignaledEventAttributes;
  if (signal && (signal.signalName === 'approve' || signal.signalName === 'reject')) {
    const [request] = await decode(signal.input?.payloads as Payload[]);
    return { decision: signal.signalName, request: request as GateDecision };
  }
  const update = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
  if (update?.name === 'decide') {
    const [request] = (await decode(update.args?.payloads as Payload[])) as (GateDecision & {
      decision: DecisionKind;
    })[];
    return { decision: request.decision, request };
  }
  return undefined;
}

async function decisionAuditRows(
  event: HistoryEvent,
  decode: (payloads: Payload[] | null | undefined) => Promise<unknown[]>,
): Promise<Record<string, unknown>[]> {
  const scheduled = event.activityTaskScheduledEventAttributes;
  if (scheduled?.activityType?.name !== 'recordAuditEvent') return [];
  const [input] = (await decode(scheduled.input?.payloads as Payload[])) as { kind: string; detail?: object }[];
  const isDecision =
    input.kind === 'decision-approve' || input.kind === 'decision-reject' || input.kind === 'decision-refused';
  return isDecision && input.detail ? [input.detail as Record<string, unknown>] : [];
}

/** Every gate definition's trusted keys, wherever in a payload it sits (release settings, wave gates, an approval's input). */
function collectTrustedKeys(value: unknown, into: Map<string, TrustedKey>, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) collectTrustedKeys(item, into, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.name === 'string' && Array.isArray(record.approvers) && Array.isArray(record.trustedKeys))
    for (const key of record.trustedKeys as TrustedKey[]) into.set(key.id, key);
  for (const child of Object.values(record)) collectTrustedKeys(child, into, depth + 1);
}
