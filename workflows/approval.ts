import { setHandler } from '@temporalio/workflow';
import type { GateDefinition, RecordedDecision, RecordedResolution } from '../domain/gates';
import { createAuditTrail } from './audit-trail';
import { createGateKeeper } from './gates/gate-keeper';
import type { GateVerdict } from './gates/gate-process';
import { approvalStatusQuery } from '../contracts/messages';

export interface ApprovalInput {
  /** What is being approved, for people reading the Web UI and the audit table. */
  subject: string;
  requestedBy: string;
  gate: GateDefinition;
  /** Who may `resolve` or `cancel` the gate; defaults to `requestedBy`. */
  releaseManagers?: string[];
}

export interface ApprovalResult {
  /** `cancelled` when a release manager gave up (after two rejections, or at any time). */
  outcome: GateVerdict;
  decisions: RecordedDecision[];
  resolutions: RecordedResolution[];
}

/**
 * A standalone approval gate with the full SPEC §5 rules (re-request, needs-resolution,
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
