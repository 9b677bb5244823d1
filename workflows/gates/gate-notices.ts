import { eligibleApprovers, pendingApprovers, type GateState } from '../../domain/gates';
import type { NotificationMessage } from '../../contracts/notifications';

/** The mails a gate sends; plain text that says what to do and how (CLI or Web UI signal). */
export function approvalRequested(subject: string, state: GateState, why: string): NotificationMessage {
  const gate = state.definition.name;
  return {
    recipients: pendingApprovers(state),
    gate,
    subject: `[stagecoach] Approval requested: ${gate} for ${subject}`,
    text:
      `${why}\n\nGate '${gate}' for ${subject} (started by ${state.requestedBy}) needs ` +
      `${state.definition.requiredApprovals} approval(s).\n` +
      (state.definition.trustedKeys?.length
        ? `Decisions count only when signed: decide in the approval service (the link below, when it runs) ` +
          `or with 'stagecoach approve --signing-key <your key>'.`
        : `Approve or reject with the stagecoach CLI, or in the Temporal Web UI: Send signal 'approve' ` +
          `or 'reject' with {"gate": "${gate}", "user": "<you>", "comment": "…"}.`),
  };
}

export function reminder(subject: string, state: GateState): NotificationMessage {
  const gate = state.definition.name;
  return {
    recipients: pendingApprovers(state),
    gate,
    subject: `[stagecoach] Reminder: ${gate} for ${subject} still waits for you`,
    text: `Gate '${gate}' for ${subject} is still waiting for approval (round ${state.round ?? 1}).`,
  };
}

export function escalated(subject: string, state: GateState): NotificationMessage {
  const gate = state.definition.name;
  const added = state.definition.escalation?.approvers ?? [];
  return {
    recipients: added.filter((user) => user !== state.requestedBy),
    subject: `[stagecoach] Escalated to you: ${gate} for ${subject}`,
    text:
      `Nobody decided gate '${gate}' for ${subject} in time; it is escalated to you.\n` +
      `Approvers now: ${eligibleApprovers(state.definition, true).join(', ')}.`,
  };
}

export function needsResolution(subject: string, state: GateState, releaseManagers: string[]): NotificationMessage {
  const gate = state.definition.name;
  return {
    recipients: releaseManagers,
    subject: `[stagecoach] Needs resolution: ${gate} for ${subject} was rejected twice`,
    text:
      `Gate '${gate}' for ${subject} was rejected twice. Send 'resolve' to ask the approvers again, ` +
      `or 'cancel', with {"gate": "${gate}", "user": "<you>", "comment": "…"}.`,
  };
}
