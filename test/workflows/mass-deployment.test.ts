import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../activities/notifications/smtp-mailer';
import { pendingActivitiesWithin } from '../../client/workflow-progress';
import { DeploymentStore } from '../../store/deployment-store';
import type { DeploymentStatus } from '../../contracts/deployments';
import { startLocalSmtpServer, type LocalSmtpServer } from '../support/smtp-server';
import { form, incremental } from '../support/packages/package-builders';
import { startFleetWorker, type FleetWorker } from '../support/deployments/fleet-worker';
import {
  createTenantFleet,
  patchLogCounts,
  publishPackage,
  type TenantFleet,
} from '../support/deployments/tenant-fleet';
import { pollUntil } from '../support/poll';

// docs/mass-deployment-and-promotions.md "Mass deployment" at the size the issue asks for: 1,000 SQLite tenants, a window of 20, 3 failing.
const COUNT = 1_000;
const FAILING = [17, 500, 999];
const hasContact = (i: number) => i % 100 === 0;

let fleet: TenantFleet;
let smtp: LocalSmtpServer;
let ctx: FleetWorker;

beforeAll(async () => {
  fleet = await createTenantFleet(COUNT, {
    contacts: (i) => (hasContact(i) ? `it-admin@t${i}.example.com` : undefined),
  });
  // Someone on these tenants created "Deploy Form" themselves: the package's form conflicts (docs/packages.md "Conflicts").
  for (const i of FAILING) {
    const knex = fleet.open(fleet.tenants[i]);
    await knex('metadata_items').insert({
      guid: '00000000-0000-4000-8000-00000000ffff',
      object_type: 'Form',
      business_object: 'Incident',
      name: 'Deploy Form',
      definition: '{}',
      installed_by_package: null,
      updated_at: 'x',
    });
    await knex.destroy();
  }
  smtp = await startLocalSmtpServer();
  ctx = await startFleetWorker(fleet, {
    instanceLocks: { holderCheckSeconds: 10 },
    notifications: {
      mailer: createSmtpMailer({ url: smtp.url, from: 'stagecoach@example.com' }),
      mailDomain: 'example.com',
    },
  });
}, 120_000);

afterAll(async () => {
  await ctx?.stop();
  await smtp?.close();
  fleet?.remove();
});

async function statusWhen(
  id: string,
  predicate: (s: DeploymentStatus) => boolean,
  timeoutMs = 300_000,
): Promise<DeploymentStatus> {
  return pollUntil('deployment status', () => ctx.client.deployments.status(id), predicate, {
    timeoutMs,
    shown: (status) => status.counts,
  });
}

async function pendingWhen(workflowId: string, done: (types: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const types = (await pendingActivitiesWithin(ctx.client.temporal, workflowId)).map((a) => a.activityType);
    if (done(types) || Date.now() > deadline) return types;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('mass deployment of one package to 1,000 tenants', () => {
  it('shows statuses while running, 997 succeed, 3 fail without blocking, the summary mail has the counts', async () => {
    const document = incremental('fleet-forms', '1.0.0', [
      form(1, 'Deploy Form'),
      form(2, 'Triage Form'),
      form(3, 'Closure Form'),
    ]);
    const packageSha256 = await publishPackage(ctx.controlDb, document);
    const id = await ctx.client.deployments.start({
      packageSha256,
      concurrency: 20,
      notifyTenants: true,
      submitter: 'rita',
    });

    const midRun = await statusWhen(id, (s) => s.counts.processed >= 100);
    expect(midRun.phase).toBe('deploying');
    expect(midRun.counts.total).toBe(COUNT);
    expect(midRun.counts.running).toBeLessThanOrEqual(20);
    expect(midRun.running.length).toBe(midRun.counts.running);
    expect(midRun.counts.pending).toBeGreaterThan(0);
    expect(await ctx.client.deployments.tenantStatus(id, fleet.tenants[0])).toEqual({
      tenant: fleet.tenants[0],
      status: 'succeeded',
    });
    expect((await ctx.client.deployments.tenantStatus(id, fleet.tenants[COUNT - 1]))?.status).toMatch(
      /^(pending|running)$/,
    );
    expect(await ctx.client.deployments.tenantStatus(id, 'not-selected')).toBeNull();
    // What a progress bar reads: the apply activities of the batch children, seen from the deployment.
    const applying = await pendingWhen(id, (types) => types.includes('deployPackageToTenants'));
    expect(applying).toContain('deployPackageToTenants');

    const result = await ctx.client.deployments.result(id);
    expect(result.counts).toMatchObject({
      total: COUNT,
      processed: COUNT,
      succeeded: COUNT - 3,
      failed: 3,
      skipped: 0,
      pending: 0,
    });
    const failing = FAILING.map((i) => fleet.tenants[i]);
    for (const tenant of failing) {
      const status = await new DeploymentStore(ctx.controlDb).tenants(id, { status: 'failed' });
      expect(status.map((s) => s.tenant)).toContain(tenant);
    }
    const failed = await new DeploymentStore(ctx.controlDb).tenants(id, { status: 'failed' });
    expect(failed.map((s) => s.tenant)).toEqual(failing);
    expect(failed[0].reason).toContain('Deploy Form');
    expect(await new DeploymentStore(ctx.controlDb).get(id)).toMatchObject({
      status: 'finished',
      succeeded: COUNT - 3,
      failed: 3,
      skipped: 0,
    });

    const logged = await patchLogCounts(ctx.controlDb, 'fleet-forms');
    expect(logged.size).toBe(COUNT - 3);
    expect([...logged.values()].every((n) => n === 1)).toBe(true);

    const mail = await smtp.waitFor((received) => received.some((m) => m.to.includes('rita@example.com')));
    const summary = mail.find((m) => m.to.includes('rita@example.com'))!;
    expect(summary.subject).toBe('Deployment of fleet-forms@1.0.0: 1000 processed, 997 succeeded, 3 failed');
    expect(summary.raw).toContain('Succeeded: 997');
    expect(summary.raw).toContain('Failed: 3');
    // Notices go to tenants with a contact whose deployment succeeded (t500 failed: none for it).
    const noticed = mail
      .filter((m) => m.subject.startsWith('Your system was upgraded'))
      .flatMap((m) => m.to)
      .sort();
    const expected = fleet.tenants
      .map((_, i) => i)
      .filter((i) => hasContact(i) && !FAILING.includes(i))
      .map((i) => `it-admin@t${i}.example.com`)
      .sort();
    expect(noticed).toEqual(expected);
  }, 900_000);
});
