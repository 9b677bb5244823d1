import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleetWorker, type FleetWorker } from '../support/deployments/fleet-worker';
import { createTenantFleet, patchLogCounts, type TenantFleet } from '../support/deployments/tenant-fleet';
import { form, incremental } from '../support/packages/package-builders';
import { runCli } from '../support/run-cli';

// Eight real SQLite tenants; the package is published and deployed through the real binary.
let fleet: TenantFleet;
let ctx: FleetWorker;

beforeAll(async () => {
  fleet = await createTenantFleet(8, { prefix: `cli${Date.now() % 100000}t` });
  ctx = await startFleetWorker(fleet, { instanceLocks: { holderCheckSeconds: 10 } });
}, 120_000);

afterAll(async () => {
  await ctx?.stop();
  fleet?.remove();
});

const cli = (...args: string[]) => runCli(['--address', ctx.address, '--task-queue', ctx.taskQueue, ...args]);

/** Writes `content` as a package file in the fleet's folder; returns its path. */
const packageFile = (name: string, content: unknown) => {
  const file = path.join(fleet.dir, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};

/** `stagecoach deploy start` of a package file by rita, against the worker's control database. */
const deployStart = (file: string, ...options: string[]) =>
  cli('deploy', 'start', '--package', file, '--control-db', ctx.controlDbFile, ...options, '--submitter', 'rita');

describe('stagecoach deploy', () => {
  it('publishes a package file, deploys it to every tenant and waits: exit 0, counts in JSON, status afterwards', async () => {
    const file = packageFile('cli-forms.json', incremental('cli-forms', '1.0.0', [form(1, 'CLI Form')]));
    const run = await deployStart(file, '--concurrency', '3', '--wait', '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = run.json();
    expect(result).toMatchObject({ counts: { total: 8, processed: 8, succeeded: 8, failed: 0 } });
    expect([...(await patchLogCounts(ctx.controlDb, 'cli-forms')).values()]).toEqual(Array(8).fill(1));

    const status = await cli('deploy', 'status', result.deploymentId, '--tenant', fleet.tenants[3], '--json');
    expect(status.json()).toEqual({ tenant: fleet.tenants[3], status: 'succeeded' });
    const human = await cli('deploy', 'status', result.deploymentId);
    expect(human.stdout).toMatch(/8\/8 processed: 8 succeeded, 0 failed, 0 skipped/);
  });

  it('a scheduled deployment is cancelled before it starts: every tenant skipped with the reason', async () => {
    const file = packageFile('cli-later.json', incremental('cli-later', '1.0.0', [form(1, 'Later Form')]));
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const start = await deployStart(file, '--at', at, '--json');
    const { deploymentId } = start.json();
    expect((await cli('deploy', 'cancel', deploymentId, '--user', 'rita', '--reason', 'wrong package')).code).toBe(0);
    const wait = await cli('deploy', 'wait', deploymentId, '--json');
    expect(wait.code).toBe(0);
    expect(wait.json()).toMatchObject({
      cancelled: { user: 'rita', reason: 'wrong package' },
      counts: { succeeded: 0, failed: 0 },
    });
  });

  it('an invalid package file exits 4 as package validate does (docs/packages.md "Limits"); no package argument exits 2', async () => {
    const run = await deployStart(packageFile('broken.json', '{"id": "broken"}'));
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^stagecoach: package .*broken\.json is invalid: /);
    const none = await cli('deploy', 'start', '--submitter', 'rita');
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('stagecoach: give either --package <file> or --package-sha256 <hash>\n');
    // A time without its zone would be a guess (the caller's, the worker's or UTC): refused before anything runs.
    const zoneless = await cli('deploy', 'start', '--package-sha256', 'a'.repeat(64), '--at', '2026-12-05T22:00:00');
    expect(zoneless.code).toBe(2);
    expect(zoneless.stderr).toContain(
      "'2026-12-05T22:00:00' has no time zone: end it with Z or an offset such as +01:00",
    );
  });

  it('exits 3 for a deployment that does not exist', async () => {
    const run = await cli('deploy', 'status', 'deployment/none/none', '--json');
    expect(run.code).toBe(3);
  });
});
