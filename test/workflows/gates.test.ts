import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecisionRefusedError } from '../../client';
import { createSmtpMailer } from '../../activities/notifications/smtp-mailer';
import { startLocalSmtpServer, type LocalSmtpServer } from '../support/smtp-server';
import { startTestWorkerWithControlDb, type ControlDbTestContext } from '../support/temporal';
import { auditEvents, auditKinds, gate, openGate, statusWhen } from '../support/gates-harness';
import { REJECTED_TWICE_AUDIT, TIMED_OUT_TWICE_THEN_CANCELLED_AUDIT } from '../support/approval-helpers';

// Every gate path of docs/approvals-locks-windows.md on the real server, with mail going to a real local SMTP server.
let ctx: ControlDbTestContext;
let smtp: LocalSmtpServer;

beforeAll(async () => {
  smtp = await startLocalSmtpServer();
  const mailer = createSmtpMailer({ url: smtp.url, from: 'stagecoach@example.test' });
  ctx = await startTestWorkerWithControlDb('postgres', 'gates', { mailer, mailDomain: 'example.test' });
});

afterAll(async () => {
  await ctx?.stop();
  await smtp?.close();
});

const mailsAbout = (subject: string) => smtp.received.filter((mail) => mail.subject.includes(subject));

// One concurrent suite whose tests are registered by topic, in their old order: sibling suites would each get
// their own maxConcurrency limit, and every gate test, timeouts of one or two seconds included, would run at once.
describe.concurrent('gate paths', () => {
  approveAndRejectPaths();
  needsResolutionPaths();
  timeoutPaths();
  refusedDecisionPaths();
  approverPaths();
});

function approveAndRejectPaths(): void {
  it('approve: one approval passes; the approvers were mailed the request', async () => {
    const { workflowId, subject } = await openGate(ctx, gate());
    await smtp.waitFor(() => mailsAbout(subject).length >= 1);
    expect(mailsAbout(subject)[0]).toMatchObject({
      to: ['alice@example.test', 'bob@example.test'],
      subject: expect.stringContaining('Approval requested: uat-push'),
    });
    expect(mailsAbout(subject)[0].raw).toContain('Send signal');

    await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'alice' });
    expect((await ctx.client.approvals.result(workflowId)).outcome).toBe('approved');
    expect(await auditKinds(ctx.controlDb, workflowId)).toEqual(['gate-opened', 'decision-approve', 'gate-approved']);
    const sent = (await auditEvents(ctx.controlDb, workflowId)).filter((e) => e.kind === 'notification-sent');
    expect(sent).toHaveLength(1);
  });

  it('reject → re-request → approve', async () => {
    const { workflowId, subject } = await openGate(ctx, gate());
    await ctx.client.approvals.decide(workflowId, 'reject', { gate: 'uat-push', user: 'bob', comment: 'missing form' });
    const second = await statusWhen(ctx, workflowId, (s) => s.gate.round === 2);
    expect(second.gate.phase).toBe('waiting');
    expect(second.gate.outcome).toBeUndefined();
    await smtp.waitFor(() => mailsAbout(subject).some((m) => m.raw.includes('approval is requested once more')));

    // Bob's earlier rejection does not bar him from deciding in the new round.
    await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'bob', comment: 'fixed' });
    const result = await ctx.client.approvals.result(workflowId);
    expect(result.outcome).toBe('approved');
    expect(result.decisions.map((d) => [d.user, d.decision, d.round])).toEqual([
      ['bob', 'reject', 1],
      ['bob', 'approve', 2],
    ]);
    expect(await auditKinds(ctx.controlDb, workflowId)).toEqual([
      'gate-opened',
      'decision-reject',
      'gate-rejected',
      'gate-rerequested',
      'decision-approve',
      'gate-approved',
    ]);
  });
}

function needsResolutionPaths(): void {
  it('reject twice → needs-resolution → resolve (only by a release manager) → approve', async () => {
    const { workflowId, subject } = await openGate(ctx, gate(), { releaseManagers: ['rita', 'max'] });
    await ctx.client.approvals.signalDecision(workflowId, 'reject', { gate: 'uat-push', user: 'alice' });
    await statusWhen(ctx, workflowId, (s) => s.gate.round === 2);
    await ctx.client.approvals.signalDecision(workflowId, 'reject', { gate: 'uat-push', user: 'bob' });
    const stuck = await statusWhen(ctx, workflowId, (s) => s.gate.phase === 'needs-resolution');
    expect(stuck.waitingFor).toBe('resolution:uat-push');
    await smtp.waitFor(() => mailsAbout(subject).some((m) => m.subject.includes('Needs resolution')));
    expect(mailsAbout(subject).find((m) => m.subject.includes('Needs resolution'))!.to).toEqual([
      'rita@example.test',
      'max@example.test',
    ]);

    await expect(
      ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'alice' }),
    ).rejects.toThrow(/rejected twice and waits for the release manager/);
    await expect(
      ctx.client.approvals.sendResolution(workflowId, 'resolve', {
        gate: 'uat-push',
        user: 'alice',
        comment: 'let me',
      }),
    ).rejects.toThrow(/alice is not a release manager/);
    await ctx.client.approvals.sendResolution(workflowId, 'resolve', {
      gate: 'uat-push',
      user: 'max',
      comment: 'package fixed',
    });
    await statusWhen(ctx, workflowId, (s) => s.gate.phase === 'waiting' && s.gate.round === 3);
    await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'alice' });

    const result = await ctx.client.approvals.result(workflowId);
    expect(result.outcome).toBe('approved');
    expect(result.resolutions.map((r) => [r.user, r.kind, r.counted])).toEqual([
      ['alice', 'resolve', false],
      ['max', 'resolve', true],
    ]);
    expect(await auditKinds(ctx.controlDb, workflowId)).toEqual([
      ...REJECTED_TWICE_AUDIT,
      'decision-refused',
      'resolve-refused',
      'gate-resolve-requested',
      'gate-resolved',
      'decision-approve',
      'gate-approved',
    ]);
  });

  it('reject twice → needs-resolution → cancel ends the gate cancelled', async () => {
    const { workflowId } = await openGate(ctx, gate());
    await ctx.client.approvals.signalDecision(workflowId, 'reject', { gate: 'uat-push', user: 'alice' });
    await statusWhen(ctx, workflowId, (s) => s.gate.round === 2);
    await ctx.client.approvals.signalDecision(workflowId, 'reject', { gate: 'uat-push', user: 'alice' });
    await statusWhen(ctx, workflowId, (s) => s.gate.phase === 'needs-resolution');
    await ctx.client.approvals.sendResolution(workflowId, 'cancel', {
      gate: 'uat-push',
      user: 'rita',
      comment: 'dropped',
    });
    expect((await ctx.client.approvals.result(workflowId)).outcome).toBe('cancelled');
    expect((await auditKinds(ctx.controlDb, workflowId)).slice(-3)).toEqual([
      'gate-needs-resolution',
      'gate-cancel-requested',
      'gate-cancelled',
    ]);
  });
}

function timeoutPaths(): void {
  it('timeout with reject: counts as a rejection, re-requests, then needs resolution', async () => {
    const { workflowId } = await openGate(ctx, gate({ timeoutSeconds: 1 }));
    await statusWhen(ctx, workflowId, (s) => s.gate.phase === 'needs-resolution');
    await ctx.client.approvals.sendResolution(workflowId, 'cancel', { gate: 'uat-push', user: 'rita' });
    await ctx.client.approvals.result(workflowId);
    const timedOut = (await auditEvents(ctx.controlDb, workflowId)).filter((e) => e.kind === 'gate-timed-out');
    expect(timedOut.map((e) => e.detail)).toEqual([
      { gate: 'uat-push', round: 1, action: 'reject' },
      { gate: 'uat-push', round: 2, action: 'reject' },
    ]);
    expect(await auditKinds(ctx.controlDb, workflowId)).toEqual(TIMED_OUT_TWICE_THEN_CANCELLED_AUDIT);
  });

  it('timeout with escalate: the escalation approvers may decide after the timeout, not before', async () => {
    const definition = gate({
      timeoutSeconds: 2,
      onTimeout: 'escalate',
      escalation: { approvers: ['erin'], timeoutSeconds: 60 },
    });
    const { workflowId, subject } = await openGate(ctx, definition);
    await expect(
      ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'erin' }),
    ).rejects.toThrow(/erin is not an approver/);
    await statusWhen(ctx, workflowId, (s) => s.gate.escalated === true);
    await smtp.waitFor(() => mailsAbout(subject).some((m) => m.subject.includes('Escalated to you')));
    expect(mailsAbout(subject).find((m) => m.subject.includes('Escalated'))!.to).toEqual(['erin@example.test']);

    const answer = await ctx.client.approvals.decide(workflowId, 'approve', {
      gate: 'uat-push',
      user: 'erin',
      comment: 'on call',
    });
    expect(answer.approvalsStillNeeded).toBe(0);
    expect((await ctx.client.approvals.result(workflowId)).outcome).toBe('approved');
    expect(await auditKinds(ctx.controlDb, workflowId)).toEqual([
      'gate-opened',
      'decision-refused',
      'gate-timed-out',
      'decision-approve',
      'gate-approved',
    ]);
  });

  it('timeout with remind: reminders are mailed and the gate keeps waiting', async () => {
    const { workflowId, subject } = await openGate(ctx, gate({ timeoutSeconds: 1, onTimeout: 'remind' }));
    await smtp.waitFor(() => mailsAbout(subject).filter((m) => m.subject.includes('Reminder')).length >= 2);
    const status = await ctx.client.approvals.status(workflowId);
    expect(status.gate).toMatchObject({ phase: 'waiting', round: 1 });
    await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'bob' });
    expect((await ctx.client.approvals.result(workflowId)).outcome).toBe('approved');
    const kinds = await auditKinds(ctx.controlDb, workflowId);
    expect(kinds.filter((k) => k === 'gate-timed-out').length).toBeGreaterThanOrEqual(2);
    expect(kinds).not.toContain('gate-rerequested');
  });

  it('periodic reminders go only to approvers who have not decided yet', async () => {
    const definition = gate({ requiredApprovals: 2, reminderEverySeconds: 1 });
    const { workflowId, subject } = await openGate(ctx, definition);
    await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'alice' });
    const reminders = () => mailsAbout(subject).filter((m) => m.subject.includes('Reminder'));
    await smtp.waitFor(() => reminders().length >= 2);
    expect(reminders().at(-1)!.to).toEqual(['bob@example.test']);
    await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'bob' });
    expect((await ctx.client.approvals.result(workflowId)).outcome).toBe('approved');
  });
}

function refusedDecisionPaths(): void {
  it('self-approval is refused, recorded in history and audit, and does not count', async () => {
    const { workflowId } = await openGate(ctx, gate({ approvers: ['alice', 'rita'] }));
    await expect(
      ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'rita' }),
    ).rejects.toThrow(/rita started this release and cannot approve/);
    const status = await statusWhen(ctx, workflowId, (s) => s.gate.decisions.length === 1);
    expect(status.gate.decisions[0]).toMatchObject({ user: 'rita', counted: false });
    expect(status.gate.outcome).toBeUndefined();
    await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'alice' });
    expect((await ctx.client.approvals.result(workflowId)).outcome).toBe('approved');
    expect(await auditKinds(ctx.controlDb, workflowId)).toEqual([
      'gate-opened',
      'decision-refused',
      'decision-approve',
      'gate-approved',
    ]);
  });

  it('a decision re-sent after its Update was refused never counts, though it would count now', async () => {
    const { workflowId } = await openGate(ctx, gate({ approvers: ['alice'], requiredApprovals: 1 }));
    await ctx.client.approvals.signalDecision(workflowId, 'approve', {
      gate: 'uat-push',
      user: 'alice',
      refusedByUpdate: "gate 'uat-push' is not open; no gate is waiting for decisions",
    });
    const status = await statusWhen(ctx, workflowId, (s) => s.gate.decisions.length === 1);
    expect(status.gate.decisions[0]).toMatchObject({
      user: 'alice',
      counted: false,
      refusal: "gate 'uat-push' is not open; no gate is waiting for decisions",
    });
    expect(status.gate.outcome).toBeUndefined();
    await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'alice' });
    expect((await ctx.client.approvals.result(workflowId)).outcome).toBe('approved');
  });

  it('non-approver: the Update is rejected; a plain signal is recorded and ignored', async () => {
    const { workflowId } = await openGate(ctx, gate());
    await expect(
      ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'mallory' }),
    ).rejects.toThrow(DecisionRefusedError);
    await ctx.client.approvals.signalDecision(workflowId, 'reject', {
      gate: 'uat-push',
      user: 'mallory',
      comment: 'no',
    });
    const status = await statusWhen(ctx, workflowId, (s) => s.gate.decisions.length === 2);
    expect(status.gate.decisions.map((d) => [d.user, d.decision, d.counted, d.refusal])).toEqual([
      ['mallory', 'approve', false, "mallory is not an approver of gate 'uat-push'"],
      ['mallory', 'reject', false, "mallory is not an approver of gate 'uat-push'"],
    ]);
    expect(status.gate).toMatchObject({ phase: 'waiting', round: 1 });

    const history = await ctx.client.temporal.workflow.getHandle(workflowId).fetchHistory();
    const signals = history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes);
    expect(signals.map((e) => e.workflowExecutionSignaledEventAttributes!.signalName)).toEqual(['approve', 'reject']);

    await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'alice' });
    expect((await ctx.client.approvals.result(workflowId)).outcome).toBe('approved');
    expect(await auditKinds(ctx.controlDb, workflowId)).toEqual([
      'gate-opened',
      'decision-refused',
      'decision-refused',
      'decision-approve',
      'gate-approved',
    ]);
  });
}

function approverPaths(): void {
  it('two approvals required: one is not enough, the second passes', async () => {
    const { workflowId } = await openGate(ctx, gate({ requiredApprovals: 2 }));
    expect(
      (await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'alice' }))
        .approvalsStillNeeded,
    ).toBe(1);
    await expect(
      ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'alice' }),
    ).rejects.toThrow(/already decided/);
    expect((await ctx.client.approvals.status(workflowId)).gate.outcome).toBeUndefined();
    expect(
      (await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'bob' }))
        .approvalsStillNeeded,
    ).toBe(0);
    expect((await ctx.client.approvals.result(workflowId)).outcome).toBe('approved');
  });

  it('a role resolved from the inventory lets its members decide', async () => {
    const definition = gate({ approvers: [], role: { name: 'change-board', members: ['carol', 'rita'] } });
    const { workflowId } = await openGate(ctx, definition);
    await expect(
      ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'rita' }),
    ).rejects.toThrow(/started this release/);
    await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'carol' });
    expect((await ctx.client.approvals.result(workflowId)).outcome).toBe('approved');
  });
}
