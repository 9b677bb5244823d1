import { setHandler } from '@temporalio/workflow';
import { type ApprovalInput, type ApprovalResult, approvalStatusQuery } from '../contracts/approvals';
import { createAuditTrail } from './audit-trail';
import { createGateKeeper } from './gates/gate-keeper';

/**
 * A standalone approval gate with the full rules of docs/approvals-locks-windows.md "Gates" (re-request, needs-resolution,
 * timeout actions, reminders), for approvals that are not part of a release.
 */
export async function approval(input: ApprovalInput): Promise<ApprovalResult> {
  const trail = createAuditTrail(input.subject);
  const gates = createGateKeeper({
    subject: input.subject,
    requestedBy: input.requestedBy,
    releaseManagers: input.releaseManagers,
    trail,
    openAtStart: input.gate,
  });
  setHandler(approvalStatusQuery, () => {
    const gate = gates.current() ?? { definition: input.gate, requestedBy: input.requestedBy, decisions: [] };
    const open = gate.phase === 'waiting' || gate.phase === 'needs-resolution';
    return {
      subject: input.subject,
      gate,
      waitingFor: open ? `${gate.phase === 'waiting' ? 'gate' : 'resolution'}:${gate.definition.name}` : undefined,
      stray: gates.stray(),
    };
  });

  try {
    const { verdict, gate } = await gates.run(input.gate);
    return { outcome: verdict, decisions: gate.decisions, resolutions: gate.resolutions ?? [] };
  } finally {
    await trail.settled();
  }
}
