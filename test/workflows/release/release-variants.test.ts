import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { WEEKDAYS } from '../../../domain/maintenance-windows';
import { AuditStore } from '../../../store/audit-store';
import { form, guid, incremental } from '../../support/packages/package-builders';
import * as release from '../../support/release/release-helpers';
import {
  maintenanceWindowQuery,
  type MaintenanceWindowStatus,
  overrideFreezeSignal,
} from '../../../contracts/maintenance-windows';
// The variants of docs/releases.md: without UAT (with the production push held by a maintenance window
// and a freeze), and initial provisioning with its go-live race.
const suite = release.useReleaseFixture('sqlite', [
  { label: 'nouat', landscapes: ['production', 'staging'] },
  { label: 'prov-timer', landscapes: ['production', 'staging'], emptyProduction: true },
  { label: 'prov-confirm', landscapes: ['production', 'staging'], emptyProduction: true },
]);

/** A weekly window (UTC) opening `secondsFromNow` from now and lasting ten minutes. */
function windowOpeningIn(secondsFromNow: number) {
  const at = new Date(Date.now() + secondsFromNow * 1000);
  return { days: [WEEKDAYS[at.getUTCDay()]], start: at.toISOString().slice(11, 19), duration: '10m', timeZone: 'UTC' };
}

describe('release without UAT', () => {
  it(
    'skips steps 3–5; the production push waits for the maintenance window, and a freeze holds it until an admin overrides it',
    { timeout: 120_000 },
    async () => {
      const { fixture, ctx } = suite;
      const tenant = fixture.tenant('nouat');
      const pkg = fixture.packageFile('nouat.json', release.releasePackage('nouat-config', '1.0.0'));
      const window = windowOpeningIn(20);
      const freeze = {
        id: 'quarter-end',
        from: new Date(Date.now() - 60_000).toISOString(),
        until: new Date(Date.now() + 3_600_000).toISOString(),
        reason: 'quarter end',
      };
      const { workflowId } = await ctx.client.releases.start({
        tenant,
        version: '1.5',
        startedBy: 'rita',
        variant: 'withoutUat',
        packages: [{ path: pkg }],
        settings: { maintenanceWindows: [window], freezes: [freeze] },
      });
      const handle = fixture.temporal.workflow.getHandle(workflowId);

      await release.statusWhen(ctx.client, workflowId, release.waitingFor('maintenance-window'));
      const frozen = await handle.query(maintenanceWindowQuery);
      // Today's window falls inside the freeze: the next free one is a week later.
      expect(Date.parse(frozen.opensAt!) - Date.now()).toBeGreaterThan(6 * 86_400_000);
      await handle.signal(overrideFreezeSignal, { freezeId: 'quarter-end', user: 'mallory', reason: 'not an admin' });
      await handle.signal(overrideFreezeSignal, {
        freezeId: 'quarter-end',
        user: 'olga',
        reason: 'customer asked for it',
      });
      const open = Date.parse(`${new Date(Date.now() + 20_000).toISOString().slice(0, 11)}${window.start}Z`);
      const overridden = await statusWhenWindow(handle, (s) => s.overrides.some((o) => o.counted));
      expect(overridden.overrides.map((o) => [o.user, o.counted])).toEqual([
        ['mallory', false],
        ['olga', true],
      ]);
      expect(Math.abs(Date.parse(overridden.opensAt!) - open)).toBeLessThan(2_000);
      expect(await release.metadataNames(fixture.open(tenant, 'production'))).not.toContain('Intake Form nouat-config');

      await release.approveGate(ctx.client, workflowId, 'go-live', 'bob');
      const result = await ctx.client.releases.result(workflowId);
      expect(result.status.timeline.map((t) => t.phase)).toEqual([
        'starting',
        'baseline',
        'configure',
        'production-push',
        'afterwards',
        'completed',
      ]);
      expect(result.status.gates.map((g) => g.definition.name)).toEqual(['go-live']);
      const audit = await new AuditStore(fixture.controlDb).listForWorkflow(workflowId);
      // Workflow time: the push phase began well before the window, the push happened in it.
      const pushPhase = result.status.timeline.find((t) => t.phase === 'production-push')!;
      expect(Date.parse(pushPhase.startedAt)).toBeLessThan(open - 5_000);
      expect(Date.parse(result.status.pushes[0].at)).toBeGreaterThanOrEqual(open - 1_000);
      expect(audit.map((e) => e.kind)).toEqual(
        expect.arrayContaining(['freeze-override-refused', 'freeze-overridden']),
      );
      expect(await release.metadataNames(fixture.open(tenant, 'production'))).toContain('Intake Form nouat-config');
      expect(await release.flagsOf(fixture.open(tenant, 'production'))).toMatchObject({ metadataLocked: true });
      expect(await release.flagsOf(fixture.open(tenant, 'staging'))).toMatchObject({ metadataLocked: false });
      await release.recordHistory(fixture.temporal, workflowId, 'release-without-uat');
    },
  );
});

describe('initial provisioning', () => {
  async function provisionUntilGoLive(
    label: string,
    autoLockAfterGoLive: string,
  ): Promise<{ tenant: string; workflowId: string }> {
    const { fixture, ctx } = suite;
    const tenant = fixture.tenant(label);
    const template = fixture.packageFile(
      `${label}-template.json`,
      incremental(`${label}-template`, '0.0', [{ ...form(11, 'Retail Home Form'), guid: guid(0x6000) }]),
    );
    const config = fixture.packageFile(`${label}-config.json`, release.releasePackage(`${label}-config`, '1.0'));
    const { workflowId } = await ctx.client.releases.start({
      tenant,
      version: '1.0',
      startedBy: 'rita',
      variant: 'initialProvisioning',
      templatePackage: { path: template },
      goLiveDate: new Date().toISOString(),
      settings: { autoLockAfterGoLive },
    });
    await release.statusWhen(ctx.client, workflowId, release.waitingFor('configuration'));
    // Staging 0.1 is a copy of production 0.0, made from the template.
    expect(await release.metadataNames(fixture.open(tenant, 'staging'))).toContain('Retail Home Form');
    await ctx.client.releases.configurationReady(workflowId, 'sam', [{ path: config }]);
    await release.statusWhen(ctx.client, workflowId, release.waitingFor('gate:go-live'));
    // Production 1.0 carries the configuration and stays unlocked until it goes live.
    const production = fixture.open(tenant, 'production');
    expect(await release.metadataNames(production)).toEqual(
      expect.arrayContaining(['Retail Home Form', `Intake Form ${label}-config`]),
    );
    expect(await release.flagsOf(production)).toMatchObject({ metadataLocked: false });
    return { tenant, workflowId };
  }

  it('locks production automatically when nobody confirms go-live in time', { timeout: 120_000 }, async () => {
    const { fixture, ctx } = suite;
    const { tenant, workflowId } = await provisionUntilGoLive('prov-timer', '8s');
    const result = await ctx.client.releases.result(workflowId);
    expect(result.outcome).toBe('completed');
    expect(result.status.timeline.map((t) => t.phase)).toEqual([
      'starting',
      'provision',
      'configure',
      'production-push',
      'afterwards',
      'completed',
    ]);
    expect(await release.flagsOf(fixture.open(tenant, 'production'))).toMatchObject({ metadataLocked: true });
    const kinds = await release.auditKinds(fixture.controlDb, workflowId);
    expect(kinds).toContain('go-live-auto-lock');
    expect(kinds).not.toContain('go-live-confirmed');
  });

  it('locks production on the go-live confirmation before the timer', { timeout: 120_000 }, async () => {
    const { fixture, ctx } = suite;
    const { tenant, workflowId } = await provisionUntilGoLive('prov-confirm', '1h');
    await release.approveGate(ctx.client, workflowId, 'go-live', 'bob');
    const result = await ctx.client.releases.result(workflowId);
    expect(result.outcome).toBe('completed');
    expect(await release.flagsOf(fixture.open(tenant, 'production'))).toMatchObject({ metadataLocked: true });
    const kinds = await release.auditKinds(fixture.controlDb, workflowId);
    expect(kinds).toContain('go-live-confirmed');
    expect(kinds).not.toContain('go-live-auto-lock');
  });
});

async function statusWhenWindow(
  handle: WorkflowHandle,
  predicate: (status: MaintenanceWindowStatus) => boolean,
): Promise<MaintenanceWindowStatus> {
  const until = Date.now() + 30_000;
  for (;;) {
    const status = await handle.query(maintenanceWindowQuery);
    if (predicate(status)) return status;
    if (Date.now() > until) throw new Error(`window status never matched: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
