// `npm run bench:deploy`: a 100-change package to N SQLite tenants through massDeployment (a worker
// in this process, a window of 50, every tenant under its instance lock) versus a plain sequential
// loop applying the same package to N fresh copies of the same tenants without Temporal. Also the
// floor: empty workflows/s on the same server, an upper bound for one lock workflow per tenant.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { InventoryTenantDatabases } from '../activities/shared/inventory-tenant-databases';
import { StagecoachClient } from '../client';
import { loadInventory } from '../inventory/load-inventory';
import type { IncrementalPackage } from '../domain/packages/package-types';
import { freePort, startDevServer } from '../dev/dev-server';
import { openControlDatabase } from '../store/control-database';
import { createTenantFleet, publishPackage, type TenantFleet } from '../test/support/deployments/tenant-fleet';
import { createWorker, WORKFLOWS_PATH } from '../worker/create-worker';
import type { ApplyPackageInput, PackageReport } from '../contracts/packages';
const TENANTS = Number(process.env.BENCH_TENANTS ?? 1_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const guid = (n: number) => `00000000-0000-4000-8000-${(0xbe000 + n).toString(16).padStart(12, '0')}`;

/** 100 low-impact creates (forms, layouts, lists on Incident); `round` 2 creates other items. */
function benchPackage(round = 1): IncrementalPackage {
  const types = ['Form', 'Layout', 'List'] as const;
  const changes = Array.from({ length: 100 }, (_, i) => ({
    sequence: i + 1,
    operation: 'C' as const,
    objectType: types[i % 3],
    businessObject: 'Incident',
    entityName: `Bench ${types[i % 3]} ${i + 1}${round > 1 ? ` (round ${round})` : ''}`,
    guid: guid((round - 1) * 1_000 + i + 1),
    data: { label: `Item ${i + 1}`, columns: ['subject', 'status'], order: i },
  }));
  return {
    formatVersion: 1,
    kind: 'incremental',
    id: `bench-deploy-${round}`,
    version: '1',
    transactionSets: [{ id: 1, changes }],
  };
}

/** Seconds per package, each applied to every tenant in turn. */
async function baseline(fleet: TenantFleet, documents: IncrementalPackage[]): Promise<number[]> {
  const controlDb = await openControlDatabase(path.join(fleet.dir, 'control.db'));
  const tenantDatabases = new InventoryTenantDatabases(loadInventory(fleet.inventoryFile));
  const activities = createActivities({ controlDb, tenantDatabases });
  const quiet = new DefaultLogger('ERROR');
  const times: number[] = [];
  for (const document of documents) {
    const packageSha256 = await publishPackage(controlDb, document);
    const started = performance.now();
    for (const tenant of fleet.tenants) {
      const env = new MockActivityEnvironment(
        { workflowExecution: { workflowId: `baseline/${document.id}/${tenant}`, runId: 'run' } },
        { logger: quiet },
      );
      const input: ApplyPackageInput = {
        target: { tenant, landscape: 'production' },
        package: { sha256: packageSha256 },
        mode: 'validateThenApply',
      };
      const report = (await env.run(activities.applyPackage, input)) as PackageReport;
      if (report.outcome !== 'applied') throw new Error(`baseline: ${tenant} ${report.outcome}`);
    }
    times.push((performance.now() - started) / 1000);
  }
  await tenantDatabases.destroyAll();
  await controlDb.destroy();
  return times;
}

/**
 * The floor: N workflows that each take one signal-with-start and one task, on the same server
 * and worker settings. docs/approvals-locks-windows.md "Instance locks" puts one lock workflow per tenant instance, so no mass deployment
 * to N fresh instances can beat this rate here, whatever the apply costs.
 */
async function temporalFloor(connection: NativeConnection, client: Client, count: number): Promise<number> {
  const taskQueue = 'bench-floor';
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'floor', 'workflows.ts'),
      logger: new DefaultLogger('ERROR'),
    }),
  });
  const running = worker.run();
  let next = 0;
  const started = performance.now();
  const handles: Array<{ result(): Promise<unknown> }> = [];
  const sender = async () => {
    for (let n = next++; n < count; n = next++) {
      handles.push(
        await client.workflow.signalWithStart('floorWorkflow', {
          workflowId: `floor-${n}`,
          taskQueue,
          signal: 'floor',
          signalArgs: [n],
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  for (const handle of handles) await handle.result();
  const seconds = (performance.now() - started) / 1000;
  worker.shutdown();
  await running;
  return count / seconds;
}

/**
 * One deployment per package, in turn: the first meets instance locks that never ran (each
 * deployment starts them), the next finds them running, as long-lived locks are (docs/approvals-locks-windows.md "Instance locks").
 */
async function orchestrated(
  fleet: TenantFleet,
  documents: IncrementalPackage[],
): Promise<{ seconds: number[]; peakRss: number; startRss: number; runs: number[]; floorRate: number }> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-bench-deploy-'));
  const [server, bundle] = await Promise.all([
    startDevServer({ port: await freePort(), headless: true, logFile: path.join(scratch, 'temporal.log') }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') }),
  ]);
  const controlDb = await openControlDatabase(path.join(fleet.dir, 'control.db'));
  const tenantDatabases = new InventoryTenantDatabases(loadInventory(fleet.inventoryFile));
  const connection = await Connection.connect({ address: server.address });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const taskQueue = 'bench-deploy';
  const worker = await createWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: createActivities({
      controlDb,
      tenantDatabases,
      instanceLocks: { temporal: new Client({ connection }) },
    }),
    workflowBundleCode: bundle.code,
  });
  const floorRate = await temporalFloor(nativeConnection, new Client({ connection }), fleet.tenants.length);
  const running = worker.run();
  const client = await StagecoachClient.connect({ address: server.address, taskQueue });
  // The worker shares this process with the client and the floor's worker: the growth during
  // the deployments is what they cost.
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const seconds: number[] = [];
  const runs: number[] = [];
  for (const document of documents) {
    const packageSha256 = await publishPackage(controlDb, document);
    const started = performance.now();
    const id = await client.deployments.start({ packageSha256, concurrency: CONCURRENCY, submitter: 'bench' });
    const result = await client.deployments.result(id);
    seconds.push((performance.now() - started) / 1000);
    runs.push(result.runs);
    if (result.counts.succeeded !== fleet.tenants.length)
      throw new Error(`deployment of ${document.id}: ${JSON.stringify(result.counts)}`);
  }
  clearInterval(sampler);
  worker.shutdown();
  await running;
  await client.close();
  await connection.close();
  await nativeConnection.close();
  await tenantDatabases.destroyAll();
  await controlDb.destroy();
  await server.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
  return { seconds, peakRss, startRss, runs, floorRate };
}

async function main(): Promise<void> {
  const documents = [benchPackage(1), benchPackage(2)];
  const ours = await createTenantFleet(TENANTS, { prefix: 'o' });
  const plain = await createTenantFleet(TENANTS, { prefix: 'b' });
  try {
    const baselineSeconds = await baseline(plain, documents);
    const run = await orchestrated(ours, documents);
    const rate = (seconds: number) => TENANTS / seconds;
    console.log(
      `tenants: ${TENANTS}, packages: 2 × 100 changes, window: ${CONCURRENCY}, peak RSS of the process running the worker ${(run.peakRss / 2 ** 20).toFixed(0)} MiB (${((run.peakRss - run.startRss) / 2 ** 20).toFixed(0)} MiB of it added during the deployments)`,
    );
    ['first package (instance locks start)', 'second package (instance locks running)'].forEach((label, i) => {
      console.log(
        `${label}: massDeployment ${run.seconds[i].toFixed(1)} s, ${rate(run.seconds[i]).toFixed(1)} tenants/s, ${run.runs[i]} run(s); ` +
          `sequential loop without Temporal ${baselineSeconds[i].toFixed(1)} s, ${rate(baselineSeconds[i]).toFixed(1)} tenants/s; ` +
          `ratio ${(rate(run.seconds[i]) / rate(baselineSeconds[i])).toFixed(3)}`,
      );
    });
    console.log(
      `floor: ${run.floorRate.toFixed(1)} empty workflows/s on the same server (one signal-with-start and one task each); ` +
        `with one lock workflow per instance (docs/approvals-locks-windows.md) the first deployment's ratio cannot exceed ${(run.floorRate / rate(baselineSeconds[0])).toFixed(3)} here`,
    );
    // The figure the issue names: the first package, to tenants whose locks never ran.
    console.log(
      JSON.stringify({
        bench: 'deploy',
        ratio: Number((rate(run.seconds[0]) / rate(baselineSeconds[0])).toFixed(3)),
        target: 1.0,
      }),
    );
  } finally {
    ours.remove();
    plain.remove();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
