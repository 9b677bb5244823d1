import { describe, expect, it } from 'vitest';
import { AuditStore } from '../../../store/audit-store';
import { PatchLogStore } from '../../../store/patch-log-store';
import { useReleaseFixture } from '../../support/release/release-fixture';
import {
  approveGate,
  flagsOf,
  metadataNames,
  recordHistory,
  releasePackage,
  statusWhen,
  waitingFor,
} from '../../support/release/release-helpers';

// docs/releases.md "Acceptance": UAT's log must be free of configuration errors. Testers find errors after
// the push to UAT; the release does not go to production but back to step 4 for a corrected
// package, and with a clean log the corrected package goes through.
const suite = useReleaseFixture('sqlite', [{ label: 'acceptance' }]);

describe('acceptance with configuration errors in the UAT log', () => {
  it('goes back to step 4 for a corrected package instead of production, then proceeds once the log is clean', async () => {
    const { fixture, ctx } = suite;
    const tenant = fixture.tenant('acceptance');
    const first = fixture.packageFile('acc-1.0.0.json', releasePackage('acc-config', '1.0.0'));
    const corrected = fixture.packageFile('acc-1.0.1.json', releasePackage('acc-config', '1.0.1'));
    const { workflowId } = await ctx.client.releases.start({
      tenant,
      version: '4.0',
      startedBy: 'rita',
      packages: [{ path: first }],
    });

    await approveGate(ctx.client, workflowId, 'uat-push', 'alice');
    await statusWhen(ctx.client, workflowId, waitingFor('gate:production-push'));
    // Testers work in UAT during acceptance; the application logs what the package broke.
    const uat = fixture.open(tenant, 'uat');
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
    await approveGate(ctx.client, workflowId, 'production-push', 'carol');

    const waiting = await statusWhen(ctx.client, workflowId, waitingFor('corrected-package'));
    expect(waiting.phase).toBe('acceptance');
    expect(waiting.problems.at(-1)).toMatch(
      /^UAT logged 2 configuration error\(s\) since the push: .*unknown field priority_code \| .*layout missing$/,
    );
    expect(waiting.pushes.map((p) => [p.target, p.attempt, p.outcome])).toEqual([['uat', 1, 'applied']]);
    // Production was not touched: no push, still locked, no package in it.
    const production = fixture.open(tenant, 'production');
    expect(await metadataNames(production)).not.toContain('Intake Form acc-config');
    expect(await flagsOf(production)).toMatchObject({ metadataLocked: true });
    const patchLog = new PatchLogStore(fixture.controlDb);
    expect(await patchLog.listForInstance(`${tenant}/production`)).toEqual([]);

    // Back to step 4: the corrected package, the log cleaned, the push to UAT approved again.
    await ctx.client.releases.correctedPackage(workflowId, 'sam', [{ path: corrected }], 'fields fixed');
    await uat('app_log').where({ category: 'configuration' }).delete();
    const again = await statusWhen(ctx.client, workflowId, waitingFor('gate:uat-push'));
    expect(again.phase).toBe('uat-push');
    expect(again.timeline.at(-1)).toMatchObject({ phase: 'uat-push', note: 'attempt 2' });
    expect(again.packages).toEqual([{ path: corrected }]);
    await approveGate(ctx.client, workflowId, 'uat-push', 'bob');
    await approveGate(ctx.client, workflowId, 'production-push', 'carol');
    await approveGate(ctx.client, workflowId, 'go-live', 'bob');

    const result = await ctx.client.releases.result(workflowId);
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
    expect(await metadataNames(fixture.open(tenant, 'production'))).toContain('Intake Form acc-config');
    // Each version applied once where it went: both to UAT, only the corrected one to production.
    const applied = async (landscape: string) =>
      (await patchLog.listForInstance(`${tenant}/${landscape}`)).map((e) => `${e.packageId} ${e.packageVersion}`);
    expect(await applied('uat')).toEqual(['acc-config 1.0.0', 'acc-config 1.0.1']);
    expect(await applied('production')).toEqual(['acc-config 1.0.1']);

    const events = await new AuditStore(fixture.controlDb).listForWorkflow(workflowId);
    const failed = events.filter((e) => e.kind === 'acceptance-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].detail).toMatchObject({ instance: `${tenant}/uat`, configurationErrors: 2 });
    const kinds = events.map((e) => e.kind);
    const story = [
      'push-applied',
      'acceptance-failed',
      'corrected-package',
      'gate-opened',
      'push-applied',
      'acceptance-log-clean',
      'push-applied',
    ];
    let cursor = 0;
    for (const kind of kinds) if (kind === story[cursor]) cursor++;
    expect(story.slice(cursor), `audit kinds: ${kinds.join(' ')}`).toEqual([]);
    await recordHistory(fixture.temporal, workflowId, 'release-acceptance-failed');
  }, 90_000);
});
