import fs from 'node:fs';
import path from 'node:path';
import { sha256 } from '../../activities/packages/package-source';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../store/audit-store';
import { createReleaseFixture, type ReleaseFixture } from '../support/release/release-fixture';
import { releasePackage, statusWhen, waitingFor } from '../support/release/release-helpers';
import type { TemporalTestContext } from '../support/temporal';
import { runCli } from '../support/run-cli';

// A whole standard release on SQLite, steered only through the real binary.
let fixture: ReleaseFixture;
let ctx: TemporalTestContext;

beforeAll(async () => {
  fixture = await createReleaseFixture('sqlite', [{ label: 'cli' }, { label: 'cli-corrected' }]);
  ctx = await fixture.startWorker();
});

afterAll(async () => {
  await fixture?.cleanup();
});

// Package files are published into the worker's control database (docs/packages.md "Content stored once").
const cli = (...args: string[]) =>
  runCli(['--address', ctx.address, '--task-queue', ctx.taskQueue, ...args], {
    STAGECOACH_CONTROL_DB: fixture.controlDbFile,
  });
const startRelease = (tenant: string, version: string, ...extra: string[]) =>
  cli('release', 'start', '--tenant', tenant, '--version', version, '--started-by', 'rita', ...extra);
const sendCorrectedPackage = (id: string, pkg: string, ...extra: string[]) =>
  cli('release', 'corrected-package', id, '--user', 'sam', '--package', pkg, ...extra);

async function startsOnlyOnce(tenant: string, id: string): Promise<void> {
  const start = await startRelease(tenant, '1.0', '--json');
  expect(start.stderr).toBe('');
  expect(start.json()).toMatchObject({ workflowId: `release/${id}` });

  const again = await startRelease(tenant, '1.0', '--json');
  expect(again.code).toBe(4);
  expect(again.json().error.message).toMatch(/already running/);
}

async function configures(id: string): Promise<string> {
  // Watch returns when the release waits for a person: first the configuration.
  const toConfiguration = await cli('release', 'watch', id, '--interval', '200');
  expect(toConfiguration.code).toBe(0);
  expect(toConfiguration.stdout).toMatch(/✓ baseline/);
  expect(toConfiguration.stdout).toContain('waiting for configuration: send configurationReady');

  // The whole run, so a failure shows what the command printed.
  expect(
    await cli('release', 'register-change', id, '--user', 'sam', '--description', 'new intake form'),
  ).toMatchObject({ code: 0, stderr: '' });
  const pkg = fixture.packageFile('cli-release.json', releasePackage('cli-config', '1.0.0'));
  expect((await cli('release', 'configuration-ready', id, '--user', 'sam', '--package', pkg)).code).toBe(0);
  return pkg;
}

async function refusesAtTheUatGate(id: string, pkg: string): Promise<void> {
  const toGate = await cli('release', 'watch', id, '--interval', '200', '--json');
  expect(toGate.json()).toMatchObject({ phase: 'uat-push', waitingFor: 'gate:uat-push' });
  // Too late for configuration, and nothing failed yet to correct: both refused, exit 4, named.
  const late = await cli('release', 'configuration-ready', id, '--user', 'sam', '--package', pkg);
  expect(late.code).toBe(4);
  expect(late.stderr).toBe(
    `stagecoach: configurationReady refused on release/${id}: configuration is ready already; the release is in phase uat-push (send correctedPackage after a failed push)\n`,
  );
  const uncalled = await sendCorrectedPackage(id, pkg, '--json');
  expect(uncalled.code).toBe(4);
  expect(uncalled.json().error.message).toBe(
    `correctedPackage refused on release/${id}: the release is not waiting for a corrected package; it is in phase uat-push`,
  );
  const self = await cli('release', 'approve', id, '--user', 'rita');
  expect(self.code).toBe(4);
  expect(self.stderr).toMatch(/rita started this release/);
}

async function passesUatAfterResolution(id: string): Promise<void> {
  // Two rejections need the release manager; resolve asks the approvers again.
  expect((await cli('release', 'reject', id, '--user', 'bob', '--comment', 'labels wrong')).code).toBe(0);
  expect((await cli('release', 'reject', id, '--user', 'alice')).code).toBe(0);
  const toResolution = await cli('release', 'watch', id, '--interval', '200', '--json');
  expect(toResolution.json()).toMatchObject({ waitingFor: 'resolution:uat-push' });
  expect((await cli('release', 'resolve', id, '--user', 'rita', '--comment', 'labels fixed')).code).toBe(0);
  await cli('release', 'watch', id, '--interval', '200');
  expect((await cli('release', 'approve', id, '--user', 'alice', '--comment', 'UAT ok')).code).toBe(0);
}

async function reachesGoLive(tenant: string, id: string): Promise<void> {
  const toProduction = await cli('release', 'watch', id, '--interval', '200', '--json');
  expect(toProduction.json()).toMatchObject({ waitingFor: 'gate:production-push' });
  expect((await cli('release', 'approve', id, '--user', 'carol')).code).toBe(0);
  const toGoLive = await cli('release', 'watch', id, '--interval', '200', '--json');
  expect(toGoLive.json()).toMatchObject({ waitingFor: 'gate:go-live' });

  const listed = await cli('release', 'list', '--tenant', tenant, '--json');
  expect(listed.json()).toEqual([expect.objectContaining({ workflowId: `release/${id}`, status: 'RUNNING' })]);
  // -o jsonl: the same list, one release per line.
  const lines = await cli('release', 'list', '--tenant', tenant, '-o', 'jsonl');
  expect(
    lines.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line)),
  ).toEqual(listed.json());
}

async function endsCompleted(tenant: string, id: string): Promise<void> {
  expect((await cli('release', 'approve', id, '--user', 'bob')).code).toBe(0);
  const end = await cli('release', 'watch', id, '--interval', '200');
  expect(end.code).toBe(0);
  expect(end.stdout).toMatch(new RegExp(`release/${id}  ${tenant} 1.0 \\(standard\\)  completed`));
  const status = await cli('release', 'status', id, '--json');
  expect(status.json()).toMatchObject({
    outcome: 'completed',
    changeRegister: [{ user: 'sam', description: 'new intake form' }],
  });
  const kinds = (await new AuditStore(fixture.controlDb).listForWorkflow(`release/${id}`)).map((e) => e.kind);
  expect(kinds).toEqual(
    expect.arrayContaining(['configuration-ready', 'configuration-ready-refused', 'corrected-package-refused']),
  );
}

async function waitingForCorrection(tenant: string, id: string): Promise<{ workflowId: string; broken: string }> {
  // Not a package at all: the push to UAT fails and the release waits for a corrected one.
  const broken = fixture.packageFile('cli-broken.json', { id: 'cli-broken' });
  const { workflowId } = await ctx.client.releases.start({
    tenant,
    version: '3.0',
    startedBy: 'rita',
    packages: [{ path: broken }],
  });
  await statusWhen(ctx.client, workflowId, waitingFor('gate:uat-push'));
  expect((await cli('release', 'approve', id, '--user', 'alice')).code).toBe(0);
  await statusWhen(ctx.client, workflowId, waitingFor('corrected-package'));
  return { workflowId, broken };
}

async function refusesMissingFileOrRelease(id: string, workflowId: string, broken: string): Promise<string> {
  const missingFile = path.join(fixture.dir, 'no-such-package.json');
  const missing = await sendCorrectedPackage(id, missingFile);
  expect(missing.code).toBe(3);
  expect(missing.stderr).toBe(`stagecoach: package file ${missingFile} does not exist\n`);
  const missingJson = await sendCorrectedPackage(id, missingFile, '--json');
  expect(missingJson.code).toBe(3);
  expect(missingJson.json()).toEqual({
    error: { code: 'notFound', exitCode: 3, message: `package file ${missingFile} does not exist` },
  });
  const good = fixture.packageFile('cli-corrected.json', releasePackage('cli-corrected', '1.0.1'));
  const unknown = await sendCorrectedPackage('nobody/9.9', good);
  expect(unknown.code).toBe(3);
  expect(unknown.stderr).toMatch(/release\/nobody\/9\.9/);
  // Neither reached the release: it still waits, with its first package.
  expect(await ctx.client.releases.status(workflowId)).toMatchObject({
    waitingFor: 'corrected-package',
    packages: [{ path: broken }],
  });
  return good;
}

async function refusesStillBrokenPackage(id: string, workflowId: string): Promise<void> {
  // docs/packages.md "Content stored once": the CLI checks and publishes the file first, so a package the loader
  // refuses exits 4 with the loader's message, as package validate does, and never reaches the release.
  const stillBroken = fixture.packageFile('cli-still-broken.json', { id: 'cli-still-broken' });
  const sentJson = await sendCorrectedPackage(id, stillBroken, '--json');
  expect(sentJson.code).toBe(4);
  expect(sentJson.json().error.message).toContain(`package ${stillBroken} is invalid: `);
  expect(await ctx.client.releases.status(workflowId)).toMatchObject({ waitingFor: 'corrected-package' });
  expect((await ctx.client.releases.status(workflowId)).pushes).toHaveLength(1);
}

async function correctsWithGoodPackage(id: string, workflowId: string, good: string): Promise<void> {
  const sent = await sendCorrectedPackage(id, path.relative(process.cwd(), good));
  expect(sent.code).toBe(0);
  expect(sent.stdout).toBe(`Sent correctedPackage to ${workflowId}\n`);
  const toGate = await cli('release', 'watch', id, '--interval', '200', '--json');
  // The release carries the published package's hash, not the path on this machine.
  expect(toGate.json()).toMatchObject({
    phase: 'uat-push',
    waitingFor: 'gate:uat-push',
    packages: [{ sha256: sha256(fs.readFileSync(good, 'utf8')) }],
  });
  expect((await cli('release', 'approve', id, '--user', 'alice')).code).toBe(0);
  const toProduction = await cli('release', 'watch', id, '--interval', '200', '--json');
  expect(toProduction.json()).toMatchObject({ waitingFor: 'gate:production-push' });
  expect(toProduction.json().pushes.map((p: { attempt: number; outcome: string }) => [p.attempt, p.outcome])).toEqual([
    [1, 'failed'],
    [2, 'applied'],
  ]);
}

describe('stagecoach release', () => {
  it('starts, watches to each person it waits for, takes the decisions and ends completed', async () => {
    const tenant = fixture.tenant('cli');
    const id = `${tenant}/1.0`;
    await startsOnlyOnce(tenant, id);
    const pkg = await configures(id);
    await refusesAtTheUatGate(id, pkg);
    await passesUatAfterResolution(id);
    await reachesGoLive(tenant, id);
    await endsCompleted(tenant, id);
  }, 300_000);

  it('cancel ends a release; watch then exits 4; bad input exits 2 and unknown releases 3', async () => {
    const tenant = fixture.tenant('cli');
    const id = `${tenant}/2.0`;
    expect((await startRelease(tenant, '2.0')).code).toBe(0);
    const outsider = await cli('release', 'cancel', id, '--user', 'alice', '--reason', 'not mine');
    expect(outsider.code).toBe(4);
    expect(outsider.stderr).toContain(
      `alice may not cancel release ${tenant} 2.0: only its release managers may (rita)`,
    );
    expect((await cli('release', 'cancel', id, '--user', 'rita', '--reason', 'customer postponed')).code).toBe(0);
    const watch = await cli('release', 'watch', id, '--interval', '200');
    expect(watch.code).toBe(4);
    expect(watch.stdout).toMatch(/cancelled by rita: customer postponed/);

    const bad = await startRelease('Not A Tenant', '1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^stagecoach: Cannot start the release: tenant 'Not A Tenant' must be lower-case/);
    const missing = await cli('release', 'status', 'nobody/9.9', '--json');
    expect(missing.code).toBe(3);
  }, 120_000);
});

describe('stagecoach release corrected-package', () => {
  it('corrected-package: a release waiting after a failed push takes the package (human and --json output); a missing file or release exits 3 naming it', async () => {
    const tenant = fixture.tenant('cli-corrected');
    const id = `${tenant}/3.0`;
    const { workflowId, broken } = await waitingForCorrection(tenant, id);
    const good = await refusesMissingFileOrRelease(id, workflowId, broken);
    await refusesStillBrokenPackage(id, workflowId);
    await correctsWithGoodPackage(id, workflowId, good);
    expect((await cli('release', 'cancel', id, '--user', 'rita', '--reason', 'done testing')).code).toBe(0);
  }, 90_000);
});
