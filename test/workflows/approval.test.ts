import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecisionRefusedError } from '../../client';
import type { GateDefinition } from '../../domain/gates';
import { AuditStore } from '../../store/audit-store';
import { startTestWorkerWithControlDb, uniqueId, type ControlDbTestContext } from '../support/temporal';
import { gate } from '../support/gates-harness';
import { cancelSignal } from '../../contracts/approvals';
import { REJECTED_TWICE_AUDIT, TIMED_OUT_TWICE_THEN_CANCELLED_AUDIT } from '../support/approval-helpers';

// Real Temporal dev server, real worker, control database on a real PostgreSQL.
let ctx: ControlDbTestContext;

beforeAll(async () => {
  ctx = await startTestWorkerWithControlDb('postgres', 'approval');
});

afterAll(async () => {
  await ctx?.stop();
});

async function open(definition: GateDefinition): Promise<string> {
  const workflowId = uniqueId('approval/acme');
  await ctx.client.approvals.request(workflowId, { subject: 'acme 1.0', requestedBy: 'rita', gate: definition });
  return workflowId;
}

/** Audit kinds; without a mailer each notification is an audit row of its own, checked apart. */
async function auditKinds(workflowId: string): Promise<string[]> {
  const kinds = (await new AuditStore(ctx.controlDb).listForWorkflow(workflowId)).map((event) => event.kind);
  return kinds.filter((kind) => kind !== 'notification');
}

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

describe('approval gate: outcomes', () => {
  it('is approved by an approver and says so in status, result and audit table', async () => {
    const workflowId = await open(gate());
    const before = await ctx.client.approvals.status(workflowId);
    expect(before.waitingFor).toBe('gate:uat-push');

    const answer = await ctx.client.approvals.decide(workflowId, 'approve', {
      gate: 'uat-push',
      user: 'alice',
      comment: 'ok',
    });
    expect(answer).toEqual({ counted: true, gate: 'uat-push', approvalsStillNeeded: 0 });

    const result = await ctx.client.approvals.result(workflowId);
    expect(result.outcome).toBe('approved');
    expect(result.decisions).toMatchObject([{ user: 'alice', decision: 'approve', counted: true, comment: 'ok' }]);
    expect(await auditKinds(workflowId)).toEqual(['gate-opened', 'decision-approve', 'gate-approved']);
    // No SMTP server configured: the approval request to the approvers is in the audit table.
    const notices = (await new AuditStore(ctx.controlDb).listForWorkflow(workflowId)).filter(
      (e) => e.kind === 'notification',
    );
    expect(notices).toHaveLength(1);
    expect(notices[0].detail).toMatchObject({ recipients: ['alice@localhost', 'bob@localhost'] });
  });

  it('is rejected by reject signals, as the Web UI sends them: re-requested once, then cancelled', async () => {
    const workflowId = await open(gate());
    await ctx.client.approvals.signalDecision(workflowId, 'reject', {
      gate: 'uat-push',
      user: 'bob',
      comment: 'not yet',
    });
    await until(async () => (await ctx.client.approvals.status(workflowId)).gate.round === 2);
    await ctx.client.approvals.signalDecision(workflowId, 'reject', {
      gate: 'uat-push',
      user: 'bob',
      comment: 'still not',
    });
    await until(async () => (await ctx.client.approvals.status(workflowId)).gate.phase === 'needs-resolution');
    await ctx.client.temporal.workflow.getHandle(workflowId).signal(cancelSignal, { gate: 'uat-push', user: 'rita' });
    const result = await ctx.client.approvals.result(workflowId);
    expect(result.outcome).toBe('cancelled');
    expect(await auditKinds(workflowId)).toEqual([...REJECTED_TWICE_AUDIT, 'gate-cancel-requested', 'gate-cancelled']);
  });

  it('times out when nobody decides (onTimeout reject: re-requested, then needs resolution)', async () => {
    const workflowId = await open(gate({ timeoutSeconds: 2 }));
    await until(async () => (await ctx.client.approvals.status(workflowId)).gate.phase === 'needs-resolution');
    await ctx.client.temporal.workflow.getHandle(workflowId).signal(cancelSignal, { gate: 'uat-push', user: 'rita' });
    const result = await ctx.client.approvals.result(workflowId);
    expect(result.outcome).toBe('cancelled');
    expect(result.decisions).toEqual([]);
    expect(await auditKinds(workflowId)).toEqual(TIMED_OUT_TWICE_THEN_CANCELLED_AUDIT);
  });
});

describe('approval gate: refusals', () => {
  it('refuses self-approval and non-approvers, records them, and keeps waiting', async () => {
    const workflowId = await open(gate({ approvers: ['alice', 'bob', 'rita'], requiredApprovals: 2 }));

    await expect(
      ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'rita' }),
    ).rejects.toThrow(/rita started this release/);
    await expect(
      ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'mallory' }),
    ).rejects.toThrow(DecisionRefusedError);
    const first = await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'alice' });
    expect(first.approvalsStillNeeded).toBe(1);
    await expect(
      ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'alice' }),
    ).rejects.toThrow(/already decided/);
    const status = await ctx.client.approvals.status(workflowId);
    expect(status.gate.outcome).toBeUndefined();

    await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'bob' });
    const result = await ctx.client.approvals.result(workflowId);
    expect(result.outcome).toBe('approved');
    expect(result.decisions.map((d) => [d.user, d.counted])).toEqual([
      ['rita', false],
      ['mallory', false],
      ['alice', true],
      ['alice', false],
      ['bob', true],
    ]);
    expect(await auditKinds(workflowId)).toEqual([
      'gate-opened',
      'decision-refused',
      'decision-refused',
      'decision-approve',
      'decision-refused',
      'decision-approve',
      'gate-approved',
    ]);
  });

  it('fails at once, naming the problem, for an impossible gate', async () => {
    const workflowId = await open(gate({ requiredApprovals: 3 }));
    await expect(ctx.client.approvals.result(workflowId)).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/requiredApprovals \(3\) exceeds the 2 approvers/) },
    });
  });
});
