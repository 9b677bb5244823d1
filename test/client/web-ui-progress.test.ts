import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowListing } from '../../client';
import { startTestWorkerWithControlDb, uniqueId, type ControlDbTestContext } from '../support/temporal';

// What the Web UI shows, read through the same server APIs it uses: visibility and describe.
let ctx: ControlDbTestContext;

beforeAll(async () => {
  ctx = await startTestWorkerWithControlDb('sqlite', 'webui');
});

afterAll(async () => {
  await ctx?.stop();
});

/** Visibility is eventually consistent: poll until the listing satisfies `done`. */
async function listUntil(query: string, done: (ids: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ids: string[] = [];
    for await (const info of ctx.client.temporal.workflow.list({ query })) ids.push(info.workflowId);
    if (done(ids) || Date.now() > deadline) return ids;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function describeUntil(workflowId: string, done: (details: string | undefined) => boolean) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const progress = await ctx.client.describe(workflowId);
    if (done(progress.currentDetails) || Date.now() > deadline) return progress;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('progress in the Web UI', () => {
  it('finds a waiting approval by tenant, phase and waiting-for, and shows its summary and current details', async () => {
    const tenant = `acme-${Date.now()}`;
    const workflowId = uniqueId(`approval/${tenant}`);
    await ctx.client.approvals.request(
      workflowId,
      {
        subject: `${tenant} 1.4: push to UAT`,
        requestedBy: 'rita',
        gate: {
          name: 'uat-push',
          approvers: ['alice', 'bob'],
          requiredApprovals: 2,
          timeoutSeconds: 300,
          onTimeout: 'reject',
        },
      },
      { tenant, version: '1.4', phase: 'push-to-uat' },
    );

    const query = `StagecoachWaitingFor = 'gate:uat-push' AND StagecoachTenant = '${tenant}' AND StagecoachPhase = 'push-to-uat'`;
    expect(await listUntil(query, (ids) => ids.length > 0)).toEqual([workflowId]);
    const listed: WorkflowListing[] = await ctx.client.list({ tenant, waitingFor: 'gate:uat-push', open: true });
    expect(listed.map((w) => w.workflowId)).toEqual([workflowId]);

    const waiting = await describeUntil(workflowId, (details) => !!details);
    expect(waiting).toMatchObject({
      workflowId,
      type: 'approval',
      status: 'RUNNING',
      attributes: { tenant, version: '1.4', phase: 'push-to-uat', waitingFor: 'gate:uat-push' },
      summary: `Approval of gate uat-push: ${tenant} 1.4: push to UAT`,
    });
    expect(waiting.details).toContain('Send signal** `approve` or `reject`');
    expect(waiting.currentDetails).toContain(
      'Waiting for approval of gate `uat-push`** (round 1): 2 more approval(s) needed from alice, bob.',
    );

    await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'alice' });
    const halfway = await describeUntil(workflowId, (details) => !!details?.includes('1 more'));
    expect(halfway.currentDetails).toContain('1 more approval(s) needed from bob.');

    await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'uat-push', user: 'bob' });
    await ctx.client.approvals.result(workflowId);
    expect(await listUntil(query, (ids) => ids.length === 0)).toEqual([]);
    const done = await ctx.client.describe(workflowId);
    expect(done.status).toBe('COMPLETED');
    expect(done.attributes).toEqual({ tenant, version: '1.4', phase: 'push-to-uat' });
    expect(done.currentDetails).toBe('Gate `uat-push` approved.');
  });
});
