import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpMailer } from '../../activities/notifications/smtp-mailer';
import type { InstanceRef } from '../../domain/landscapes';
import {
  ASSET_FORM,
  createBundleWithItems,
  defineTarget,
  openPromotionFixture,
  type PromotionFixture,
} from '../support/promotions/promotion-fixture';
import { startFleetWorker, type FleetWorker } from '../support/deployments/fleet-worker';
import { createTenantFleet, publishPackage, type TenantFleet } from '../support/deployments/tenant-fleet';
import { recordHistory } from '../support/record-history';
import { startLocalSmtpServer, type LocalSmtpServer } from '../support/smtp-server';
import { form, incremental } from '../support/packages/package-builders';
import { bundleTestWorkflows } from './fixtures/test-bundle';
import { finishSignal } from './fixtures/test-workflows';
import { instanceLockWorkflowId } from '../../contracts/instance-locks';

// Small runs of the workflows whose histories test/histories/ keeps for the replay test (docs/principles.md "Non-negotiables").
// With STAGECOACH_RECORD_HISTORIES=1 they are written there:
//   STAGECOACH_RECORD_HISTORIES=1 npx vitest run test/workflows/record-histories.test.ts
let fleet: TenantFleet;
let smtp: LocalSmtpServer;
let ctx: FleetWorker;
let promotions: PromotionFixture;

const FAILING = 2;

beforeAll(async () => {
  fleet = await createTenantFleet(4, { prefix: 'hist', contacts: (i) => `it-admin@t${i}.example.com` });
  // The package's form already exists there, created by hand: that tenant fails (docs/packages.md "Conflicts").
  const conflicting = fleet.open(fleet.tenants[FAILING]);
  await conflicting('metadata_items').insert({
    guid: '00000000-0000-4000-8000-00000000ffff',
    object_type: 'Form',
    business_object: 'Incident',
    name: 'Deploy Form',
    definition: '{}',
    installed_by_package: null,
    updated_at: 'x',
  });
  await conflicting.destroy();
  smtp = await startLocalSmtpServer();
  ctx = await startFleetWorker(fleet, {
    // A short history limit, so a lock run continues as new after a few grants.
    instanceLocks: { holderCheckSeconds: 1, maxHistoryEvents: 80 },
    notifications: {
      mailer: createSmtpMailer({ url: smtp.url, from: 'stagecoach@example.com' }),
      mailDomain: 'example.com',
    },
    workflowBundleCode: await bundleTestWorkflows(),
  });
  promotions = await openPromotionFixture('sqlite');
}, 120_000);

afterAll(async () => {
  await promotions?.close();
  await ctx?.stop();
  await smtp?.close();
  fleet?.remove();
});

describe('runs kept as replay histories', () => {
  // Files keep the name of the code that wrote them: mass-deployment.json, deploy-to-tenant.json
  // and instance-lock.json came from the code before batches and local-activity audit rows, and
  // stay, so the replay test proves the patched() paths. Re-recording writes the current ones.
  it('mass-deployment-batched and deploy-to-tenants: 4 tenants in batches of 2, one failing, tenants notified', async () => {
    const packageSha256 = await publishPackage(
      ctx.controlDb,
      incremental('history-forms', '1.0.0', [form(1, 'Deploy Form'), form(2, 'Triage Form')]),
    );
    const id = await ctx.client.deployments.start({
      packageSha256,
      concurrency: 4,
      notifyTenants: true,
      submitter: 'rita',
    });
    const result = await ctx.client.deployments.result(id);
    expect(result.counts).toMatchObject({ total: 4, succeeded: 3, failed: 1, skipped: 0 });
    await smtp.waitFor((received) => received.some((m) => m.to.includes('rita@example.com')));
    await recordHistory(ctx.temporal, id, 'mass-deployment-batched');
    await recordHistory(ctx.temporal, `${id}/${fleet.tenants[0]}..${fleet.tenants[1]}`, 'deploy-to-tenants');
  });

  it('instance-lock-local-audit: a run granted and released a few times that continued as new', async () => {
    const instance: InstanceRef = { tenant: `h${randomUUID().slice(0, 8)}`, landscape: 'production' };
    const lockId = instanceLockWorkflowId(instance);
    const firstRun = await grantAndReleaseUntilContinuedAsNew(instance);
    const first = await ctx.temporal.workflow.getHandle(lockId, firstRun).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    await recordHistory(ctx.temporal, lockId, 'instance-lock-local-audit', { runId: firstRun });
  });

  it('bundle-promotion and promotion-backout: one promotion now, then backed out', async () => {
    const client = promotions.ctx.client;
    const bundle = await createBundleWithItems(promotions, `history-${randomUUID().slice(0, 8)}`, [
      { guid: ASSET_FORM },
      { objectType: 'Rule', name: 'Escalate P1' },
    ]);
    const target = await defineTarget(promotions, `production-${randomUUID().slice(0, 8)}`, 'production');
    const { promotionId, result } = await client.promotions.promote({ requestedBy: 'pat', targetName: target, bundle });
    expect(result).toMatchObject({ created: 2 });
    expect(await client.promotions.backOut({ promotionId, user: 'pat' })).toMatchObject({
      deleted: 2,
      matchesBeforePromotion: true,
    });
    await recordHistory(client.temporal, promotionId, 'bundle-promotion');
    await recordHistory(client.temporal, `backout/${promotionId}`, 'promotion-backout');
  });
});

/**
 * Rounds of two holders that take the instance's lock and finish, until the lock run continues as
 * new (at most ten rounds); returns the id of the lock's first run.
 */
async function grantAndReleaseUntilContinuedAsNew(instance: InstanceRef): Promise<string | undefined> {
  const lockId = instanceLockWorkflowId(instance);
  let firstRun: string | undefined;
  for (let round = 0; round < 10; round += 1) {
    const holders = [];
    for (const reason of ['release', 'refresh']) {
      const workflowId = `holder/${instance.tenant}/${reason}-${round}`;
      await ctx.temporal.workflow.start('lockHolder', {
        taskQueue: ctx.taskQueue,
        workflowId,
        args: [{ instance, reason }],
      });
      // Around continue-as-new the next run answers the query before it has taken the request:
      // on a loaded machine that can take longer than the poll's default second.
      await expect
        .poll(async () => JSON.stringify(await ctx.client.locks.status(instance).catch(() => null)), {
          timeout: 10_000,
        })
        .toContain(workflowId);
      firstRun ??= (await ctx.temporal.workflow.getHandle(lockId).describe()).runId;
      holders.push(workflowId);
    }
    // Long enough for one check that the holder still runs (every second).
    if (round === 0) await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const holder of holders) {
      await ctx.temporal.workflow.getHandle(holder).signal(finishSignal, 'complete');
      await ctx.temporal.workflow.getHandle(holder).result();
    }
    if ((await ctx.temporal.workflow.getHandle(lockId).describe()).runId !== firstRun) break;
  }
  return firstRun;
}
