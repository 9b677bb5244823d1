import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import type { ReleaseResult } from '../../../contracts/releases';
import { AuditStore } from '../../../store/audit-store';
import { PatchLogStore } from '../../../store/patch-log-store';
import * as release from '../../support/release/release-helpers';

// docs/releases.md "Acceptance": UAT's log must be free of configuration errors. Testers find errors after
// the push to UAT; the release does not go to production but back to step 4 for a corrected
// package, and with a clean log the corrected package goes through.
const suite = release.useReleaseFixture('sqlite', [{ label: 'acceptance' }]);

describe('acceptance with configuration errors in the UAT log', () => {
  it('goes back to step 4 for a corrected package instead of production, then proceeds once the log is clean', async () => {
    const { fixture, ctx } = suite;
    const tenant = fixture.tenant('acceptance');
    const first = fixture.packageFile('acc-1.0.0.json', release.releasePackage('acc-config', '1.0.0'));
    const corrected = fixture.packageFile('acc-1.0.1.json', release.releasePackage('acc-config', '1.0.1'));
    const start = { tenant, version: '4.0', packages: [{ path: first }] };
    const workflowId = await release.releaseUntilProductionPush(ctx.client, start, 'alice');
    // Testers work in UAT during acceptance; the application logs what the package broke.
    const uat = fixture.open(tenant, 'uat');
    await logConfigurationErrors(uat);
    await release.approveGate(ctx.client, workflowId, 'production-push', 'carol');
    await expectBackAtStep4WithProductionUntouched(workflowId, tenant);

    // Back to step 4: the corrected package, the log cleaned, the push to UAT approved again.
    await ctx.client.releases.correctedPackage(workflowId, 'sam', [{ path: corrected }], 'fields fixed');
    await uat('app_log').where({ category: 'configuration' }).delete();
    const again = await release.statusWhen(ctx.client, workflowId, release.waitingFor('gate:uat-push'));
    expect(again.phase).toBe('uat-push');
    expect(again.timeline.at(-1)).toMatchObject({ phase: 'uat-push', note: 'attempt 2' });
    expect(again.packages).toEqual([{ path: corrected }]);
    await release.approveGate(ctx.client, workflowId, 'uat-push', 'bob');
    await release.approveGate(ctx.client, workflowId, 'production-push', 'carol');
    await release.approveGate(ctx.client, workflowId, 'go-live', 'bob');

    await expectCorrectedPackageLive(await ctx.client.releases.result(workflowId), tenant);
    await expectAcceptanceFailureAudited(workflowId, tenant);
    await release.recordHistory(fixture.temporal, workflowId, 'release-acceptance-failed');
  }, 90_000);
});

async function logConfigurationErrors(uat: Knex): Promise<void> {
  const loggedAt = new Date().toISOString();
  await uat('app_log').insert([
    {
      logged_at: loggedAt,
      level: 'error',
      category: 'configuration',
      message: 'form Intake Form acc-config: unknown field priority_code',
    },
    {
      logged_at: loggedAt,
      level: 'error',
      category: 'configuration',
      message: 'form Review Form acc-config: layout missing',
    },
    // Neither of these blocks acceptance.
    { logged_at: loggedAt, level: 'warning', category: 'configuration', message: 'slow form load' },
    { logged_at: loggedAt, level: 'error', category: 'application', message: 'mail server timeout' },
  ]);
}

async function expectBackAtStep4WithProductionUntouched(workflowId: string, tenant: string): Promise<void> {
  const { fixture, ctx } = suite;
  const waiting = await release.statusWhen(ctx.client, workflowId, release.waitingFor('corrected-package'));
  expect(waiting.phase).toBe('acceptance');
  expect(waiting.problems.at(-1)).toMatch(
    /^UAT logged 2 configuration error\(s\) since the push: .*unknown field priority_code \| .*layout missing$/,
  );
  expect(waiting.pushes.map((p) => [p.target, p.attempt, p.outcome])).toEqual([['uat', 1, 'applied']]);
  // Production was not touched: no push, still locked, no package in it.
  const production = fixture.open(tenant, 'production');
  expect(await release.metadataNames(production)).not.toContain('Intake Form acc-config');
  expect(await release.flagsOf(production)).toMatchObject({ metadataLocked: true });
  const patchLog = new PatchLogStore(fixture.controlDb);
  expect(await patchLog.listForInstance(`${tenant}/production`)).toEqual([]);
}

async function expectCorrectedPackageLive(result: ReleaseResult, tenant: string): Promise<void> {
  const { fixture } = suite;
  expect(result.outcome).toBe('completed');
  expect(result.status.pushes.map((p) => [p.target, p.attempt, p.outcome])).toEqual([
    ['uat', 1, 'applied'],
    ['uat', 2, 'applied'],
    ['production', 2, 'applied'],
  ]);
  expect(result.status.timeline.map((t) => t.phase)).toEqual([
    'starting',
    'baseline',
    'configure',
    'uat-refresh',
    'uat-push',
    'acceptance',
    'uat-push',
    'acceptance',
    'production-push',
    'afterwards',
    'completed',
  ]);
  expect(await release.metadataNames(fixture.open(tenant, 'production'))).toContain('Intake Form acc-config');
  // Each version applied once where it went: both to UAT, only the corrected one to production.
  const patchLog = new PatchLogStore(fixture.controlDb);
  const applied = async (landscape: string) =>
    (await patchLog.listForInstance(`${tenant}/${landscape}`)).map((e) => `${e.packageId} ${e.packageVersion}`);
  expect(await applied('uat')).toEqual(['acc-config 1.0.0', 'acc-config 1.0.1']);
  expect(await applied('production')).toEqual(['acc-config 1.0.1']);
}

async function expectAcceptanceFailureAudited(workflowId: string, tenant: string): Promise<void> {
  const events = await new AuditStore(suite.fixture.controlDb).listForWorkflow(workflowId);
  const failed = events.filter((e) => e.kind === 'acceptance-failed');
  expect(failed).toHaveLength(1);
  expect(failed[0].detail).toMatchObject({ instance: `${tenant}/uat`, configurationErrors: 2 });
  release.expectStoryInOrder(
    events.map((e) => e.kind),
    [
      'push-applied',
      'acceptance-failed',
      'corrected-package',
      'gate-opened',
      'push-applied',
      'acceptance-log-clean',
      'push-applied',
    ],
  );
}
