/**
 * Every signal, query and update, defined once with its payload types. Names are wire
 * names: renaming one breaks workflows that are already running.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { GateDecision, GateState, DecisionKind } from '../domain/gates';

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

export interface ApprovalStatus {
  subject: string;
  gate: GateState;
  waitingFor?: string;
}
export const approvalStatusQuery = defineQuery<ApprovalStatus>('status');
