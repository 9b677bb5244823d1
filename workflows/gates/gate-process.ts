import { condition, setCurrentDetails } from '@temporalio/workflow';
import { gateCurrentDetails } from '../../domain/gate-details';
import {
  ROUNDS_BEFORE_RESOLUTION,
  eligibleApprovers,
  type GateState,
  type RecordedResolution,
} from '../../domain/gates';
import type { AuditTrail } from '../audit-trail';
import { setWaitingFor } from '../shared/waiting-for';
import { approvalRequested, escalated, needsResolution, reminder } from './gate-notices';
import type { NotificationMessage } from '../../contracts/notifications';
import { GateVerdict } from '../../contracts/approvals';

export interface GateContext {
  subject: string;
  releaseManagers: string[];
  trail: AuditTrail;
  notify(message: NotificationMessage): void;
}

/** Records and announces a gate that has just opened. */
export function announceGate(state: GateState, ctx: GateContext): void {
  const gate = state.definition.name;
  ctx.trail.record('gate-opened', state.requestedBy, {
    gate,
    approvers: eligibleApprovers(state.definition),
    round: 1,
  });
  ctx.notify(approvalRequested(ctx.subject, state, `${state.requestedBy} asks for your approval.`));
}

/**
 * docs/approvals-locks-windows.md "Gates" (after `announceGate`): request approval; a rejection (or a timeout that rejects) re-requests once; a
 * second one waits in `needs-resolution` for a release manager's `resolve` (ask again, with
 * one re-request again) or `cancel`. A `cancel` ends the gate whenever it arrives.
 */
export async function runGate(state: GateState, ctx: GateContext): Promise<GateVerdict> {
  const gate = state.definition.name;
  let rejections = 0;
  for (;;) {
    waitingFor(`gate:${gate}`, state);
    const outcome = await runRound(state, ctx);
    if (outcome === 'cancelled') return finish(state, ctx, 'cancelled');
    if (outcome === 'approved') return finish(state, ctx, 'approved');
    if (outcome === 'rejected') ctx.trail.record('gate-rejected', undefined, { gate, round: state.round });
    rejections += 1;
    if (rejections < ROUNDS_BEFORE_RESOLUTION) {
      startRound(state);
      ctx.trail.record('gate-rerequested', undefined, { gate, round: state.round });
      ctx.notify(
        approvalRequested(ctx.subject, state, `Gate '${gate}' was ${outcome}; approval is requested once more.`),
      );
      continue;
    }
    state.phase = 'needs-resolution';
    waitingFor(`resolution:${gate}`, state);
    ctx.trail.record('gate-needs-resolution', undefined, { gate, releaseManagers: ctx.releaseManagers });
    ctx.notify(needsResolution(ctx.subject, state, ctx.releaseManagers));
    const resolution = await nextResolution(state);
    if (resolution.kind === 'cancel') return finish(state, ctx, 'cancelled');
    state.phase = 'waiting';
    rejections = 0;
    startRound(state);
    ctx.trail.record('gate-resolved', resolution.user, { gate, comment: resolution.comment, round: state.round });
    ctx.notify(
      approvalRequested(ctx.subject, state, `${resolution.user} resolved the rejections; please decide again.`),
    );
  }
}

type RoundOutcome = 'approved' | 'rejected' | 'timed-out' | 'cancelled';

/** One request round: decisions, reminders and the timeout action, until the round ends. */
async function runRound(state: GateState, ctx: GateContext): Promise<RoundOutcome> {
  const { definition } = state;
  const seen = (state.resolutions ?? []).length;
  const cancelled = () => (state.resolutions ?? []).slice(seen).some((r) => r.counted && r.kind === 'cancel');
  let deadline = Date.now() + definition.timeoutSeconds * 1000;
  const every = (definition.reminderEverySeconds ?? 0) * 1000;
  let nextReminder = every > 0 ? Date.now() + every : Infinity;
  for (;;) {
    const wakeAt = Math.min(deadline, nextReminder);
    await condition(() => !!state.outcome || cancelled(), Math.max(1, wakeAt - Date.now()));
    if (cancelled()) return 'cancelled';
    if (state.outcome) return state.outcome;
    if (Date.now() >= nextReminder) {
      nextReminder += every;
      ctx.trail.record('gate-reminder', undefined, { gate: definition.name, round: state.round });
      ctx.notify(reminder(ctx.subject, state));
    }
    if (Date.now() < deadline) continue;
    ctx.trail.record('gate-timed-out', undefined, {
      gate: definition.name,
      round: state.round,
      action: timeoutAction(state),
    });
    if (definition.onTimeout === 'remind') {
      ctx.notify(reminder(ctx.subject, state));
      deadline = Date.now() + definition.timeoutSeconds * 1000;
    } else if (definition.onTimeout === 'escalate' && !state.escalated) {
      state.escalated = true;
      ctx.notify(escalated(ctx.subject, state));
      deadline = Date.now() + definition.escalation!.timeoutSeconds * 1000;
    } else {
      state.outcome = 'timed-out';
      return 'timed-out';
    }
  }
}

/** What a timeout does now: an escalated gate that times out again is rejected. */
function timeoutAction(state: GateState): string {
  if (state.definition.onTimeout === 'escalate' && state.escalated) return 'reject';
  return state.definition.onTimeout;
}

async function nextResolution(state: GateState): Promise<RecordedResolution> {
  const seen = (state.resolutions ?? []).length;
  const counted = () => (state.resolutions ?? []).slice(seen).find((r) => r.counted);
  await condition(() => counted() !== undefined);
  return counted()!;
}

function startRound(state: GateState): void {
  state.round = (state.round ?? 1) + 1;
  state.outcome = undefined;
  state.escalated = false;
}

function finish(state: GateState, ctx: GateContext, verdict: GateVerdict): GateVerdict {
  state.phase = verdict;
  waitingFor(undefined, state);
  ctx.trail.record(`gate-${verdict}`, undefined, { gate: state.definition.name, round: state.round });
  return verdict;
}

function waitingFor(what: string | undefined, state: GateState): void {
  setWaitingFor(what);
  // What the Web UI shows as the workflow's current details (no history event: safe to add).
  setCurrentDetails(gateCurrentDetails(state));
}
