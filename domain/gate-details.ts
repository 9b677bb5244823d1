/**
 * The "current details" text the Temporal Web UI shows for a workflow waiting at a gate
 * (workflow `setCurrentDetails`): where the gate stands and how to decide from the Web UI.
 * Pure, so workflows can call it.
 */
import { approvalsStillNeeded, pendingApprovers, type GateState } from './gates';

export function gateCurrentDetails(state: GateState): string {
  const { name } = state.definition;
  const round = state.round ?? 1;
  switch (state.phase) {
    case 'approved':
      return `Gate \`${name}\` approved.`;
    case 'cancelled':
      return `Gate \`${name}\` cancelled.`;
    case 'needs-resolution':
      return [
        `**Gate \`${name}\` was rejected twice** and waits for a release manager.`,
        '',
        `Send signal \`resolve\` (ask the approvers again) or \`cancel\` with input ` +
          `\`{"gate": "${name}", "user": "<release manager>", "comment": "…"}\`.`,
      ].join('\n');
    default: {
      const pending = pendingApprovers(state);
      return [
        `**Waiting for approval of gate \`${name}\`** (round ${round}): ` +
          `${approvalsStillNeeded(state)} more approval(s) needed` +
          (pending.length ? ` from ${pending.join(', ')}.` : '.'),
        '',
        state.definition.trustedKeys?.length
          ? `Decisions count only when signed by a trusted key: decide with \`stagecoach release approve\` ` +
            `(or \`reject\`) and your signing key. A signal sent from here is recorded and does not count.`
          : `To decide: Send signal \`approve\` or \`reject\` with input ` +
            `\`{"gate": "${name}", "user": "<you>", "comment": "…"}\`.`,
      ].join('\n');
    }
  }
}
