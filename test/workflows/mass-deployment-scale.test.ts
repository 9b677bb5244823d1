import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleetWorker, type FleetWorker } from '../support/deployments/fleet-worker';
import { form, incremental } from '../support/packages/package-builders';
import {
  createTenantFleet,
  patchLogCounts,
  publishPackage,
  type TenantFleet,
} from '../support/deployments/tenant-fleet';

// docs/mass-deployment-and-promotions.md "Mass deployment" (thousands of tenants): 5,000 tiny SQLite tenants. The deployment continues as new
// whenever its history passes MAX_EVENTS, so every run's history stays bounded.
// Measured 2026-11-23 on a 2-core machine: about 150 s with batched children (it took 1,365 s
// with one child per tenant, and was opt-in then).
const COUNT = 5_000;
const CONCURRENCY = 50;
const MAX_EVENTS = 1_000;
describe('mass deployment to 5,000 tenants', () => {
  let fleet: TenantFleet;
  let ctx: FleetWorker;

  beforeAll(async () => {
    fleet = await createTenantFleet(COUNT, { prefix: 's' });
    ctx = await startFleetWorker(fleet, { instanceLocks: { holderCheckSeconds: 30 } });
  }, 300_000);

  afterAll(async () => {
    await ctx?.stop();
    fleet?.remove();
  });

  it('deploys to 5,000 tenants over several runs, each with a bounded history', async () => {
    const started = Date.now();
    const packageSha256 = await publishPackage(
      ctx.controlDb,
      incremental('scale-form', '1.0.0', [form(1, 'Scale Form')]),
    );
    const id = await ctx.client.deployments.start({
      packageSha256,
      concurrency: CONCURRENCY,
      submitter: 'rita',
      maxHistoryEvents: MAX_EVENTS,
    });
    const result = await ctx.client.deployments.result(id);
    expect(result.counts).toMatchObject({ total: COUNT, processed: COUNT, succeeded: COUNT, failed: 0, skipped: 0 });
    expect(result.runs).toBeGreaterThan(2);

    const runs: number[] = [];
    const until = Date.now() + 60_000;
    while (runs.length < result.runs && Date.now() < until) {
      runs.length = 0;
      for await (const execution of ctx.client.temporal.workflow.list({ query: `WorkflowId = '${id}'` }))
        runs.push(execution.historyLength);
      if (runs.length < result.runs) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(runs).toHaveLength(result.runs);
    // Past MAX_EVENTS the run stops launching and drains its window: at most ~6 events per child more.
    for (const length of runs) expect(length).toBeLessThanOrEqual(MAX_EVENTS + CONCURRENCY * 8 + 50);

    const logged = await patchLogCounts(ctx.controlDb, 'scale-form');
    expect(logged.size).toBe(COUNT);
    expect([...logged.values()].every((n) => n === 1)).toBe(true);
    console.log(
      `5,000 tenants deployed in ${((Date.now() - started) / 1000).toFixed(0)} s over ${result.runs} runs; history lengths ${runs.join(', ')}`,
    );
  }, 3_600_000);
});
