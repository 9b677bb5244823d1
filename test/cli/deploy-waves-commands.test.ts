import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentPreview, DeploymentStatus } from '../../contracts/deployments';
import { DeploymentStore } from '../../store/deployment-store';
import { holdInstanceLock } from '../support/deployments/lock-holder';
import { startFleetWorker, type FleetWorker } from '../support/deployments/fleet-worker';
import { createTenantFleet, type TenantFleet } from '../support/deployments/tenant-fleet';
import { form, guid, incremental } from '../support/packages/package-builders';
import { pollUntil } from '../support/poll';
import { runCli } from '../support/run-cli';
import { bundleTestWorkflows } from '../workflows/fixtures/test-bundle';
import { finishSignal } from '../workflows/fixtures/test-workflows';

// docs/mass-deployment-and-promotions.md "Dry run", "Waves" and "Halting and back-out" through the real binary.
let fleet: TenantFleet;
let ctx: FleetWorker;
let holder: WorkflowHandle;
const t = (index: number) => fleet.tenants[index];
const FRIDAY_NIGHTS = { days: ['fri'], start: '22:00', duration: '6h', timeZone: 'Europe/Berlin' };

beforeAll(async () => {
  fleet = await createTenantFleet(6, {
    prefix: `cliw${Date.now() % 100000}t`,
    entry: (i, tenants) => ({
      ...(i < 2 ? { tags: ['pilot'] } : {}),
      ...(i === 3 ? { dependsOn: [tenants[2]] } : {}),
      ...(i === 4 ? { release: { maintenanceWindows: [FRIDAY_NIGHTS] } } : {}),
    }),
  });
  ctx = await startFleetWorker(fleet, {
    instanceLocks: { holderCheckSeconds: 10 },
    workflowBundleCode: await bundleTestWorkflows(),
  });
  holder = await holdInstanceLock(ctx, { tenant: t(2), landscape: 'production' }, 'release r7: production push');
}, 120_000);

afterAll(async () => {
  await holder?.signal(finishSignal, 'complete').catch(() => undefined);
  await ctx?.stop();
  fleet?.remove();
});

const cli = (...args: string[]) => runCli(['--address', ctx.address, '--task-queue', ctx.taskQueue, ...args]);

let formGuid = 0x7100;
/** A package file creating one form of its own, in the fleet's folder. */
function packageFile(id: string, formName: string): string {
  const file = path.join(fleet.dir, `${id}.json`);
  formGuid += 1;
  fs.writeFileSync(file, JSON.stringify(incremental(id, '1.0.0', [{ ...form(1, formName), guid: guid(formGuid) }])));
  return file;
}

const deployStart = (file: string, ...options: string[]) =>
  cli('deploy', 'start', '--package', file, '--control-db', ctx.controlDbFile, ...options, '--submitter', 'rita');

describe('stagecoach deploy start --dry-run', () => {
  it('prints the waves, who holds a lock, the next window, the order and the skips; nothing starts', async () => {
    const file = packageFile('cli-dry', 'Dry Form');
    expect((await deployStart(file, '--tenant', t(5), '--wait')).code).toBe(0);
    const waveOptions = ['--pilot-tag', 'pilot', '--wave-size', '2', '--soak', '30m', '--failure-threshold', '10'];

    const run = await deployStart(file, ...waveOptions, '--dry-run', '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const preview = run.json<DeploymentPreview>();
    expect(preview).toMatchObject({ package: 'cli-dry@1.0.0', soakSeconds: 1800, failureThresholdPercent: 10 });
    expect(preview.waves.map((w) => [w.name, w.tenants.map((x) => x.tenant)])).toEqual([
      ['pilot', [t(0), t(1)]],
      ['wave 1', [t(2), t(3)]],
      ['wave 2', [t(4), t(5)]],
    ]);
    const tenant = (name: string) => preview.waves.flatMap((w) => w.tenants).find((x) => x.tenant === name)!;
    expect(tenant(t(2)).lockHolder).toContain(`${holder.workflowId} (release r7: production push, since `);
    expect(tenant(t(3)).dependsOn).toEqual([t(2)]);
    expect(tenant(t(5)).skip).toMatch(/^already has cli-dry@1\.0\.0 \(applied .* by deployment\//);
    // Fridays 22:00 in Berlin: 20:00 or 21:00 UTC, six hours long; the other tenants have no window set.
    const window = tenant(t(4)).nextWindow!;
    expect(new Date(window.start).getUTCDay()).toBe(5);
    expect(Date.parse(window.end!) - Date.parse(window.start)).toBe(6 * 3_600_000);
    expect(tenant(t(0)).nextWindow).toBeNull();

    const text = await deployStart(file, ...waveOptions, '--dry-run');
    expect(text.stdout).toContain('Dry run: cli-dry@1.0.0 → production, 6 tenant(s) in 3 wave(s); nothing started');
    expect(text.stdout).toContain(`  wave 1 (2): ${t(2)}, ${t(3)}`);
    expect(text.stdout).toContain(`    ${t(2)}: lock held by ${holder.workflowId}`);
    expect(text.stdout).toContain(`    ${t(5)}: would be skipped: already has cli-dry@1.0.0`);
    expect(text.stdout).toContain(`    next window ${window.start} – ${window.end}: ${t(4)}`);
    // Only the --wait deployment above was ever recorded.
    expect(await ctx.controlDb('deployments').where({ package_id: 'cli-dry' })).toHaveLength(1);
  });

  it('refuses as a real start would, with the same exit code: an unknown tenant exits 5 naming it', async () => {
    const run = await deployStart(packageFile('cli-dry-bad', 'Bad Form'), '--tenant', `${t(0)},ghost`, '--dry-run');
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('tenant(s) not in the inventory: ghost; nothing deployed');
    const usage = await deployStart(packageFile('cli-dry-pct', 'Pct Form'), '--failure-threshold', '120', '--dry-run');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('expected a percentage 0–100');
  });
});

describe('stagecoach deploy resolve', () => {
  it('a halted deployment shows its waves in status and takes a cancel; a bad action exits 2', async () => {
    const knex = fleet.open(t(1));
    await knex('metadata_items').insert({
      guid: guid(0x7199),
      object_type: 'Form',
      business_object: 'Incident',
      name: 'Halt Form',
      definition: '{}',
      installed_by_package: null,
      updated_at: 'x',
    });
    await knex.destroy();
    const started = await deployStart(
      packageFile('cli-halt', 'Halt Form'),
      ...['--tenant', [0, 1, 4].map(t).join(','), '--pilot-tag', 'pilot', '--json'],
    );
    const { deploymentId } = started.json<{ deploymentId: string }>();
    await pollUntil(
      'halted deployment',
      async () => (await cli('deploy', 'status', deploymentId, '--json')).json<DeploymentStatus>(),
      (status) => status.phase === 'needs-resolution',
      { timeoutMs: 60_000, shown: (status) => status.phase },
    );
    const status = await cli('deploy', 'status', deploymentId);
    expect(status.stdout).toMatch(/ {2}pilot +halted +2 tenant\(s\): 1 succeeded, 1 failed, 0 skipped/);
    expect(status.stdout).toMatch(/ {2}wave 1 +pending +1 tenant\(s\)/);

    const bogus = await cli('deploy', 'resolve', deploymentId, 'retry', '--user', 'rita', '--reason', 'x');
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain(`'retry' is not a resolution: resume, cancel, back-out`);
    const cancel = await cli('deploy', 'resolve', deploymentId, 'cancel', '--user', 'rita', '--reason', 'pilot broke');
    expect(cancel.code).toBe(0);
    const wait = await cli('deploy', 'wait', deploymentId, '--json');
    expect(wait.code).toBe(5);
    expect(wait.json()).toMatchObject({ cancelled: { user: 'rita', reason: 'pilot broke' }, counts: { failed: 1 } });
    const rows = await new DeploymentStore(ctx.controlDb).tenants(deploymentId, { status: 'skipped' });
    expect(rows.map((r) => r.tenant)).toEqual([t(4)]);
  });
});
