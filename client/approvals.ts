/**
 * Approval gates through the client library: `client.approvals` opens a standalone gate, decides
 * on it (by Update, or fire-and-forget as the Web UI does), resolves or cancels it, and reads its
 * status and result. A release's gates take the same calls with the release's workflow id.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { DecisionKind, GateDecision, RecordedResolution, ResolutionKind } from '../domain/gates';
import {
  type ApprovalInput,
  type ApprovalResult,
  type ApprovalStatus,
  approvalStatusQuery,
  approveSignal,
  cancelSignal,
  type DecideResult,
  decideUpdate,
  type GateBriefing,
  type GateBriefingInput,
  rejectSignal,
  type ResolutionRequest,
  resolveSignal,
} from '../contracts/approvals';
import type { ClientCore } from './core';
import { type DecisionVerification, verifyDecisions } from './decision-audit';
import { type DecisionSigner, signDecision } from './decision-signing';
import { DecisionRefusedError } from './errors';
import { searchAttributesFor, type StagecoachAttributes } from './workflow-progress';

/** What the Web UI shows about a workflow besides its id: search attributes and user metadata. */
export interface StartMetadata extends StagecoachAttributes {
  /** One line, shown in the Web UI's workflow list and header. */
  summary?: string;
  /** Markdown, shown in the Web UI's workflow page. */
  details?: string;
}

export class Approvals {
  constructor(private readonly core: ClientCore) {}

  /** Opens a gate under `workflowId`. */
  async request(
    workflowId: string,
    input: ApprovalInput,
    metadata: StartMetadata = {},
  ): Promise<WorkflowHandleWithFirstExecutionRunId> {
    const { summary, details, ...attributes } = metadata;
    return this.core.start('approval', workflowId, input, {
      typedSearchAttributes: searchAttributesFor(attributes),
      staticSummary: summary ?? `Approval of gate ${input.gate.name}: ${input.subject}`,
      staticDetails: details ?? approvalDetails(input),
    });
  }

  /** Waits for the gate to end; a workflow failure surfaces as the SDK's WorkflowFailedError. */
  async result(workflowId: string): Promise<ApprovalResult> {
    return this.core.call(workflowId, (handle) => handle.result() as Promise<ApprovalResult>);
  }

  async status(workflowId: string): Promise<ApprovalStatus> {
    return this.core.query(workflowId, (handle) => handle.query(approvalStatusQuery));
  }

  /**
   * Decide by Update: resolves when the decision counted, throws DecisionRefusedError when
   * the workflow refused it. A refused decision is then sent as a signal so it is still
   * recorded in the history and the audit table (a rejected Update leaves no history event).
   */
  async decide(
    workflowId: string,
    decision: DecisionKind,
    request: GateDecision,
    signer?: DecisionSigner,
  ): Promise<DecideResult> {
    const sent = signer ? await this.signed(workflowId, decision, request, signer) : request;
    return this.core.updateOrRecordRefusal(
      workflowId,
      { update: decideUpdate, request: { ...sent, decision }, signal: decisionSignal(decision), recorded: sent },
      { refused: (id, failure) => new DecisionRefusedError(id, failure.message) },
    );
  }

  /** Fire-and-forget decision, as the Web UI's "Send signal" does. */
  async signalDecision(
    workflowId: string,
    decision: DecisionKind,
    request: GateDecision,
    signer?: DecisionSigner,
  ): Promise<void> {
    const sent = signer ? await this.signed(workflowId, decision, request, signer) : request;
    await this.core.call(workflowId, (handle) => handle.signal(decisionSignal(decision), sent));
  }

  /**
   * What an approver is shown at a release gate (docs/approvals-locks-windows.md "Approval service"): impact,
   * a dry run on the target, UAT's log; the worker works it out, reading only.
   */
  async briefing(input: GateBriefingInput): Promise<GateBriefing> {
    return this.core.execute<GateBriefing>('gateBriefing', `gate-briefing/${randomUUID()}`, input, {
      staticSummary: `gate briefing: ${input.packages.length} package(s)${input.target ? ` on ${input.target.tenant}/${input.target.landscape}` : ''}`,
    });
  }

  /**
   * Re-verifies every decision in the workflow's history (docs/approvals-locks-windows.md "Signed
   * decisions"): from the history alone, as an auditor would.
   */
  async verify(workflowId: string): Promise<DecisionVerification> {
    const history = await this.core.call(workflowId, (handle) => handle.fetchHistory());
    return verifyDecisions(workflowId, history.events ?? [], this.core.temporal.options.loadedDataConverter);
  }

  /**
   * `request` with a signature over the decision for the round the gate is in now
   * (docs/approvals-locks-windows.md "Signed decisions"); a round that moves on meanwhile refuses it.
   */
  private async signed(
    workflowId: string,
    decision: DecisionKind,
    request: GateDecision,
    signer: DecisionSigner,
  ): Promise<GateDecision> {
    const status = await this.status(workflowId);
    const round = status.gate?.definition.name === request.gate ? (status.gate.round ?? 1) : 1;
    const signature = signDecision(signer, {
      workflowId,
      gate: request.gate,
      round,
      user: request.user,
      decision,
      ...(request.comment !== undefined ? { comment: request.comment } : {}),
      signedAt: new Date().toISOString(),
    });
    return { ...request, signature };
  }

  /**
   * A release manager's `resolve` (ask the approvers again after two rejections) or `cancel`.
   * They travel as signals (usable from the Web UI too), so the answer is read back from the
   * status query: resolves with the recorded resolution, throws DecisionRefusedError when it
   * did not count.
   */
  async sendResolution(
    workflowId: string,
    kind: ResolutionKind,
    request: ResolutionRequest,
  ): Promise<RecordedResolution> {
    const before = resolutionsOf(await this.status(workflowId), kind);
    await this.core.call(workflowId, (handle) =>
      handle.signal(kind === 'resolve' ? resolveSignal : cancelSignal, request),
    );
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const after = resolutionsOf(await this.status(workflowId), kind);
      const recorded = after.onGate[before.onGate.length] ?? after.stray[before.stray.length];
      if (recorded) {
        if (!recorded.counted) throw new DecisionRefusedError(workflowId, recorded.refusal ?? 'not counted');
        return recorded;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(
      `${workflowId} did not record the ${kind} within 15 s; is a worker polling '${this.core.taskQueue}'?`,
    );
  }
}

const decisionSignal = (decision: DecisionKind) => (decision === 'approve' ? approveSignal : rejectSignal);

/** The Web UI shows this markdown on the workflow page: who decides, and how to do it there. */
function approvalDetails(input: ApprovalInput): string {
  const gate = input.gate;
  return [
    `**${input.subject}**, requested by ${input.requestedBy}.`,
    '',
    `Gate \`${gate.name}\`: ${gate.requiredApprovals} approval(s) from ${gate.approvers.join(', ')}; ` +
      `after ${gate.timeoutSeconds} s: ${gate.onTimeout}.`,
    '',
    `To decide here: **Send signal** \`approve\` or \`reject\` with input ` +
      `\`{"gate": "${gate.name}", "user": "<you>", "comment": "…"}\`.`,
  ].join('\n');
}

/** Resolutions of `kind` as recorded, counted or not: on the gate, and those that found no open gate. */
function resolutionsOf(
  status: ApprovalStatus,
  kind: ResolutionKind,
): { onGate: RecordedResolution[]; stray: RecordedResolution[] } {
  return {
    // A release answers the same `status` query but has no gate before its first one opens.
    onGate: (status.gate?.resolutions ?? []).filter((r) => r.kind === kind),
    stray: (status.stray ?? [])
      .filter((m) => m.kind === kind)
      .map((m): RecordedResolution => ({ kind, ...m.request, at: m.at, counted: false, refusal: m.refusal })),
  };
}
