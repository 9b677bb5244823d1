import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecisionRefusedError } from '../../client';
import { decisionSigner, generateSigningKey, signDecision } from '../../client/decision-signing';
import type { TrustedKey } from '../../domain/decision-signatures';
import type { GateDecision } from '../../domain/gates';
import { startTestWorkerWithControlDb, type ControlDbTestContext } from '../support/temporal';
import { auditEvents, gate, openGate, statusWhen } from '../support/gates-harness';
import { pollUntil } from '../support/poll';

// docs/approvals-locks-windows.md "Signed decisions", straight to Temporal: every decision below reaches the
// workflow; only one signed by a trusted key, for this workflow, gate and round, counts.
let ctx: ControlDbTestContext;

const service = generateSigningKey();
const aliceLaptop = generateSigningKey();
const mallory = generateSigningKey();
const serviceSigner = decisionSigner('approval-service', service.privateKeyPem);
const aliceSigner = decisionSigner('alice-laptop', aliceLaptop.privateKeyPem);
const trustedKeys: TrustedKey[] = [
  { id: 'approval-service', publicKey: service.publicKeyHex, signsFor: ['*'] },
  { id: 'alice-laptop', publicKey: aliceLaptop.publicKeyHex, signsFor: ['alice'] },
];

beforeAll(async () => {
  ctx = await startTestWorkerWithControlDb('sqlite', 'signed-decisions');
});

afterAll(async () => {
  await ctx?.stop();
});

const signedGate = () => gate({ trustedKeys, approvers: ['alice', 'bob', 'carol'] });

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DecisionRefusedError);
  return (error as Error).message;
}

describe.concurrent('signed decisions', () => {
  it('unsigned, Web UI signal, untrusted key, wrong signer, altered text: recorded, none counted', async () => {
    const { workflowId } = await openGate(ctx, signedGate());
    const decide = (request: GateDecision, signer?: Parameters<typeof ctx.client.approvals.decide>[3]) =>
      ctx.client.approvals.decide(workflowId, 'approve', request, signer);

    expect(await refusal(decide({ gate: 'uat-push', user: 'alice' }))).toContain('unsigned decision');
    // What the Web UI's "Send signal" sends: a plain JSON decision with no signature.
    await ctx.client.approvals.signalDecision(workflowId, 'approve', { gate: 'uat-push', user: 'bob' });
    const impostor = decisionSigner('approval-service', mallory.privateKeyPem);
    expect(await refusal(decide({ gate: 'uat-push', user: 'alice' }, impostor))).toContain('does not verify');
    const unknown = decisionSigner('mallory', mallory.privateKeyPem);
    expect(await refusal(decide({ gate: 'uat-push', user: 'alice' }, unknown))).toContain(
      "signed by key 'mallory', which gate 'uat-push' does not trust",
    );
    expect(await refusal(decide({ gate: 'uat-push', user: 'bob' }, aliceSigner))).toContain(
      "key 'alice-laptop' may not sign for bob",
    );
    const signed = await signedRequest(workflowId, 'carol', 'fine', 1);
    expect(await refusal(decide({ ...signed, comment: 'fine, and more' }))).toContain('does not verify');

    const status = await statusWhen(ctx, workflowId, (s) => s.gate.decisions.length === 6);
    expect(status.gate.decisions.map((d) => [d.user, d.counted])).toEqual([
      ['alice', false],
      ['bob', false],
      ['alice', false],
      ['alice', false],
      ['bob', false],
      ['carol', false],
    ]);
    expect(status.gate.decisions[1].refusal).toContain('unsigned decision');
    expect(status.gate.outcome).toBeUndefined();
    const refusedRows = async () =>
      (await auditEvents(ctx.controlDb, workflowId)).filter((e) => e.kind === 'decision-refused');
    expect(await pollUntil('audit rows', refusedRows, (rows) => rows.length >= 6)).toHaveLength(6);

    const answer = await decide({ gate: 'uat-push', user: 'alice', comment: 'checked' }, aliceSigner);
    expect(answer.approvalsStillNeeded).toBe(0);
    const result = await ctx.client.approvals.result(workflowId);
    expect(result.outcome).toBe('approved');
    expect(result.decisions.filter((d) => d.counted).map((d) => [d.user, d.signedBy])).toEqual([
      ['alice', 'alice-laptop'],
    ]);
  });

  it('a valid signature replayed on another workflow or in a later round does not count', async () => {
    const first = await openGate(ctx, signedGate());
    const second = await openGate(ctx, signedGate());
    const forFirst = await signedRequest(first.workflowId, 'alice', 'ok', 1);
    expect(await refusal(ctx.client.approvals.decide(second.workflowId, 'approve', forFirst))).toMatch(
      new RegExp(`does not verify for ${second.workflowId}`),
    );

    // Bob rejects round 1 (signed by the approval service); Alice's round-1 approval arrives after round 2 opened.
    await ctx.client.approvals.decide(first.workflowId, 'reject', { gate: 'uat-push', user: 'bob' }, serviceSigner);
    await statusWhen(ctx, first.workflowId, (s) => s.gate.round === 2);
    expect(await refusal(ctx.client.approvals.decide(first.workflowId, 'approve', forFirst))).toContain(
      'signed for round 1 of gate',
    );
    const reused = await refusal(
      ctx.client.approvals.decide(first.workflowId, 'approve', {
        ...forFirst,
        signature: { ...forFirst.signature!, round: 2 },
      }),
    );
    expect(reused).toContain('does not verify');

    await ctx.client.approvals.decide(first.workflowId, 'approve', { gate: 'uat-push', user: 'alice' }, serviceSigner);
    const result = await ctx.client.approvals.result(first.workflowId);
    expect(result.outcome).toBe('approved');
    expect(result.decisions.map((d) => [d.user, d.decision, d.round, d.counted])).toEqual([
      ['bob', 'reject', 1, true],
      ['alice', 'approve', 2, false],
      ['alice', 'approve', 2, false],
      ['alice', 'approve', 2, true],
    ]);
  });
});

/** An approval signed by the approval service for `workflowId`, gate uat-push, round `round`. */
async function signedRequest(workflowId: string, user: string, comment: string, round: number): Promise<GateDecision> {
  const signedAt = new Date().toISOString();
  const signature = signDecision(serviceSigner, {
    workflowId,
    gate: 'uat-push',
    round,
    user,
    decision: 'approve',
    comment,
    signedAt,
  });
  return { gate: 'uat-push', user, comment, signature };
}
