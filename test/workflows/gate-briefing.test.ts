import { describe, expect, it } from 'vitest';
import { briefingInputOf } from '../../client/approval-service/briefing';
import { gatePage } from '../../client/approval-service/pages';
import * as release from '../support/release/release-helpers';

// docs/approvals-locks-windows.md "Approval service": at production-push the approver sees each package's impact, a
// dry run on production (nothing changed there) and UAT's log since the push — worked out by the worker.
const suite = release.useReleaseFixture('sqlite', [{ label: 'briefing' }]);

describe('the gate briefing', () => {
  it("shows impact, a dry run on production and UAT's configuration errors; production is left as it was", async () => {
    const { fixture, ctx } = suite;
    const tenant = fixture.tenant('briefing');
    const file = fixture.packageFile('brief-1.0.0.json', release.releasePackage('brief-config', '1.0.0'));
    const workflowId = await release.releaseUntilProductionPush(
      ctx.client,
      { tenant, version: '5.0', packages: [{ path: file }] },
      'alice',
    );
    const uat = fixture.open(tenant, 'uat');
    await uat('app_log').insert({
      logged_at: new Date().toISOString(),
      level: 'error',
      category: 'configuration',
      message: 'form Intake Form brief-config: unknown field priority_code',
    });

    const status = await ctx.client.releases.status(workflowId);
    const input = briefingInputOf(status)!;
    expect(input.target).toEqual({ tenant, landscape: 'production' });
    const briefing = await ctx.client.approvals.briefing(input);
    expect(briefing.problems).toEqual([]);
    expect(briefing.packages).toMatchObject([
      { packageId: 'brief-config', version: '1.0.0', impact: expect.any(String) },
    ]);
    expect(briefing.previews).toMatchObject([{ outcome: 'validated', target: `${tenant}/production`, errorCount: 0 }]);
    expect(briefing.uatLog).toMatchObject({ configurationErrors: 1 });
    expect(await release.metadataNames(fixture.open(tenant, 'production'))).not.toContain('Intake Form brief-config');

    const page = gatePage('carol', workflowId, status, 'token', undefined, briefing);
    expect(page).toContain('<h2>Impact</h2>');
    expect(page).toContain(`brief-config 1.0.0 on ${tenant}/production: validated, 0 error(s)`);
    expect(page).toContain('1 configuration error(s)');
    expect(page).toContain('unknown field priority_code');
    await ctx.client.releases.cancel(workflowId, { user: 'rita', reason: 'briefing seen' });
  }, 90_000);
});
