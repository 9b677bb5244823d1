import type { ApprovalStatus, WorkflowListing } from '../../client';
import { authenticationNote, pendingApprovers } from '../../domain/gates';

/** Human text of `approval status`: what a person needs to know to act. */
export function renderApprovalStatus(workflowId: string, status: string, approval: ApprovalStatus): string {
  const gate = approval.gate;
  const lines = [
    `${workflowId}  ${status}`,
    `  ${approval.subject}`,
    `  gate ${gate.definition.name}: ${gate.outcome ?? gate.phase ?? 'waiting'}, ` +
      `${gate.definition.requiredApprovals} approval(s) needed from ${gate.definition.approvers.join(', ')}`,
    `  ${authenticationNote(gate.definition)}`,
  ];
  if (approval.waitingFor) {
    const pending = pendingApprovers(gate);
    lines.push(
      `  waiting for ${approval.waitingFor}${pending.length ? ` (not yet decided: ${pending.join(', ')})` : ''}`,
    );
  }
  for (const decision of gate.decisions) {
    const mark = decision.counted ? '✓' : '✗';
    const signed = decision.signedBy ? ` (signed by ${decision.signedBy})` : '';
    const note = decision.counted
      ? `${signed}${decision.comment ? `: ${decision.comment}` : ''}`
      : ` — not counted: ${decision.refusal}`;
    lines.push(`  ${mark} ${decision.at} ${decision.user} ${decision.decision}${note}`);
  }
  return lines.join('\n');
}

/** One line per workflow, aligned, for the `list` commands. */
export function renderListing(workflows: WorkflowListing[]): string {
  if (workflows.length === 0) return 'No workflows match.';
  const width = Math.max(...workflows.map((w) => w.workflowId.length));
  return workflows
    .map((w) => {
      const attributes = Object.entries(w.attributes)
        .map(([key, value]) => `${key}=${value}`)
        .join(' ');
      return `${w.workflowId.padEnd(width)}  ${w.status.padEnd(10)}  ${w.startedAt}  ${attributes}`;
    })
    .join('\n');
}
