import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { InvalidReleaseInputError, ReleaseAlreadyStartedError } from '../../../client';
import * as release from '../../support/release/release-helpers';

// docs/releases.md and docs/approvals-locks-windows.md "Instance locks": a release holds its tenant's instance locks for its whole life, so a second
// release of the tenant waits; a cancelled release undoes its flag changes and frees the locks.
const suite = release.useReleaseFixture('sqlite', [{ label: 'locks' }]);

describe('release locks, duplicates and cancellation', () => {
  it('runs a standalone approval (its history is replayed with the releases)', async () => {
    const { fixture, ctx } = suite;
    const workflowId = `approval/${fixture.tenant('locks')}/history`;
    await ctx.client.approvals.request(workflowId, {
      subject: 'hotfix window',
      requestedBy: 'rita',
      gate: {
        name: 'hotfix',
        approvers: ['alice', 'bob'],
        requiredApprovals: 2,
        timeoutSeconds: 600,
        onTimeout: 'reject',
      },
    });
    await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'hotfix', user: 'alice' });
    await ctx.client.approvals.decide(workflowId, 'approve', { gate: 'hotfix', user: 'bob' });
    expect((await ctx.client.approvals.result(workflowId)).outcome).toBe('approved');
    await release.recordHistory(fixture.temporal, workflowId, 'approval');
  });

  it('refuses bad input and a second start of a running release with a clear message', async () => {
    const { fixture, ctx } = suite;
    const tenant = fixture.tenant('locks');
    await expect(ctx.client.releases.start({ tenant, version: 'a b', startedBy: '' })).rejects.toThrow(
      InvalidReleaseInputError,
    );
    const { workflowId } = await ctx.client.releases.start({
      tenant,
      version: '0.9',
      startedBy: 'rita',
      settings: { backupType: 'last' },
    });
    await expect(ctx.client.releases.start({ tenant, version: '0.9', startedBy: 'rita' })).rejects.toThrow(
      new ReleaseAlreadyStartedError(workflowId, 'running'),
    );
    // Backup type `last` with no cataloged backup of production: the baseline fails, naming it.
    const failure = await ctx.client.releases.result(workflowId).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(rootMessage(failure)).toMatch(/no cataloged sqlite backup of .*\/production exists/);
    expect(await release.flagsOf(fixture.open(tenant, 'production'))).toMatchObject({ metadataLocked: false });
  });

  it('serializes two releases of one tenant; cancelling the first undoes its flags and lets the second run', async () => {
    const { fixture, ctx } = suite;
    const tenant = fixture.tenant('locks');
    const first = await ctx.client.releases.start({ tenant, version: '1.0', startedBy: 'rita' });
    await release.statusWhen(ctx.client, first.workflowId, release.waitingFor('configuration'));
    expect(await release.flagsOf(fixture.open(tenant, 'production'))).toMatchObject({ metadataLocked: true });

    const second = await ctx.client.releases.start({ tenant, version: '1.1', startedBy: 'rita' });
    const queued = await release.statusWhen(ctx.client, second.workflowId, release.waitingFor('instance-lock'));
    expect(queued.phase).toBe('starting');
    const lock = await ctx.client.locks.status({ tenant, landscape: 'production' });
    expect(lock.holder?.holderWorkflowId).toBe(first.workflowId);
    expect(lock.queue.map((r) => r.holderWorkflowId)).toEqual([second.workflowId]);
    const listed = await ctx.client.releases.list({ tenant, open: true });
    expect(listed.map((r) => r.workflowId).sort()).toEqual([first.workflowId, second.workflowId].sort());

    await ctx.client.releases.cancel(first.workflowId);
    const failure = await ctx.client.releases.result(first.workflowId).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const kinds = await release.auditKinds(fixture.controlDb, first.workflowId);
    expect(kinds).toEqual(expect.arrayContaining(['compensation-done']));

    // The second release gets the locks and runs its own baseline.
    await release.statusWhen(ctx.client, second.workflowId, release.waitingFor('configuration'));
    expect(await release.flagsOf(fixture.open(tenant, 'production'))).toMatchObject({ metadataLocked: true });
    await ctx.client.releases.cancel(second.workflowId);
    await ctx.client.releases.result(second.workflowId).catch(() => undefined);
    expect(await release.flagsOf(fixture.open(tenant, 'production'))).toMatchObject({ metadataLocked: false });
  });
});

describe('staging refresh schedule', () => {
  it('creates (then updates) a Schedule whose run copies production to staging under the lock', async () => {
    const { fixture, ctx } = suite;
    const tenant = fixture.tenant('locks');
    const production = fixture.open(tenant, 'production');
    await release.insertIncident(production, 'only in production', 'x', '2026-02-01T00:00:00Z');
    const scheduleId = await ctx.client.releases.scheduleStagingRefresh({
      tenant,
      cron: '0 3 * * 6',
      timeZone: 'Europe/Berlin',
    });
    expect(await ctx.client.releases.scheduleStagingRefresh({ tenant, everySeconds: 86_400 })).toBe(scheduleId);
    const schedule = fixture.temporal.schedule.getHandle(scheduleId);
    expect((await schedule.describe()).spec.intervals?.[0]).toMatchObject({ every: 86_400_000 });
    await schedule.trigger();
    try {
      const until = Date.now() + 45_000;
      let refreshed = false;
      while (!refreshed && Date.now() < until) {
        const staging = fixture.open(tenant, 'staging');
        refreshed = (await staging('incidents').where({ subject: 'only in production' })).length === 1;
        if (!refreshed) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(refreshed).toBe(true);
      expect(await release.flagsOf(fixture.open(tenant, 'staging'))).toMatchObject({ metadataLocked: false });
    } finally {
      await schedule.delete();
    }
  });
});

function rootMessage(error: unknown): string {
  let current = error as { message?: string; cause?: unknown };
  while (current.cause) current = current.cause as { message?: string; cause?: unknown };
  return current.message ?? '';
}
