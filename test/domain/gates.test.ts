import { describe, expect, it } from 'vitest';
import {
  approvalsStillNeeded,
  eligibleApprovers,
  pendingApprovers,
  refusalFor,
  resolutionRefusalFor,
  validateGateDefinition,
  type GateDefinition,
  type GateState,
} from '../../domain/gates';

const definition: GateDefinition = {
  name: 'production-push',
  approvers: ['alice'],
  role: { name: 'cab', members: ['bob', 'rita'] },
  requiredApprovals: 2,
  timeoutSeconds: 60,
  onTimeout: 'escalate',
  escalation: { approvers: ['erin'], timeoutSeconds: 60 },
};
const state = (overrides: Partial<GateState> = {}): GateState => ({
  definition,
  requestedBy: 'rita',
  decisions: [],
  phase: 'waiting',
  round: 1,
  ...overrides,
});

describe('gate rules', () => {
  it('resolves approvers from users, role members and, once escalated, the escalation list', () => {
    expect(eligibleApprovers(definition)).toEqual(['alice', 'bob', 'rita']);
    expect(eligibleApprovers(definition, true)).toEqual(['alice', 'bob', 'rita', 'erin']);
    expect(pendingApprovers(state())).toEqual(['alice', 'bob']);
  });

  it('counts decisions per round only', () => {
    const earlier = state({
      round: 2,
      decisions: [{ gate: 'production-push', user: 'alice', decision: 'reject', at: '', counted: true, round: 1 }],
    });
    expect(refusalFor(earlier, { gate: 'production-push', user: 'alice' })).toBeUndefined();
    expect(approvalsStillNeeded(earlier)).toBe(2);
  });

  it('refuses self-approval, strangers, other gates and decisions while resolution is pending', () => {
    expect(refusalFor(state(), { gate: 'production-push', user: 'rita' })).toMatch(/started this release/);
    expect(refusalFor(state(), { gate: 'production-push', user: 'erin' })).toMatch(/not an approver/);
    expect(refusalFor(state(), { gate: 'uat-push', user: 'alice' })).toMatch(/is not open/);
    expect(refusalFor(state({ phase: 'needs-resolution' }), { gate: 'production-push', user: 'alice' })).toMatch(
      /waits for the release manager/,
    );
  });

  it('lets only release managers resolve, and only a gate that needs it', () => {
    expect(resolutionRefusalFor(state(), 'resolve', { gate: 'production-push', user: 'rita' }, ['rita'])).toMatch(
      /does not need resolution/,
    );
    expect(
      resolutionRefusalFor(state(), 'cancel', { gate: 'production-push', user: 'rita' }, ['rita']),
    ).toBeUndefined();
    expect(
      resolutionRefusalFor(state({ phase: 'needs-resolution' }), 'resolve', { gate: 'production-push', user: 'bob' }, [
        'rita',
      ]),
    ).toMatch(/not a release manager/);
  });

  it('explains impossible gates, not counting the starter among the approvers', () => {
    expect(validateGateDefinition({ ...definition, requiredApprovals: 3 }, 'rita')).toEqual([
      "gate 'production-push': requiredApprovals (3) exceeds the 2 approvers besides rita",
    ]);
    expect(validateGateDefinition({ ...definition, escalation: undefined })).toEqual([
      "gate 'production-push': onTimeout 'escalate' needs escalation.approvers",
    ]);
  });
});
