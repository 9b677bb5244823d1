// `npm run bench:deploy`: a 100-change package through massDeployment (a worker in this process,
// every tenant under its instance lock) versus a plain sequential loop applying the same package to
// identical copies of the same tenants without Temporal, on two fleets:
// - PostgreSQL (the figure of record): each tenant its own database, reached through a Toxiproxy
//   latency toxic as production's database servers are a network hop away from the worker;
// - SQLite files: no network to hide, so its ratio is the orchestration overhead. Also its floor:
//   empty workflows/s on the same server, an upper bound for one lock workflow per tenant.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities } from '../activities';
import { InventoryTenantDatabases } from '../activities/shared/inventory-tenant-databases';
import { StagecoachClient } from '../client';
import { loadInventory } from '../inventory/load-inventory';
import type { IncrementalPackage } from '../domain/packages/package-types';
import { freePort, startDevServer, type DevServer } from '../dev/dev-server';
import { openControlDatabase } from '../store/control-database';
import { createTenantFleet, publishPackage } from '../test/support/deployments/tenant-fleet';
import { createWorker, WORKFLOWS_PATH } from '../worker/create-worker';
import type { ApplyPackageInput, PackageReport } from '../contracts/packages';
import { PG_URL } from './bench-fixture';
import {
  closePostgresAdmin,
  createPostgresFleet,
  createPostgresTemplate,
  dropRunDatabases,
  localPostmasterPid,
  medianRoundTripMs,
  serverMaxConnections,
  type PostgresFleet,
  type PostgresTemplate,
} from './support/postgres-fleet';
import { cpuMillisOf, ownCpuMillis, peakRssOf, samplePeak, treeCpuMillis } from './support/process-usage';
import { startLatencyProxy, type LatencyProxy } from './support/toxiproxy';

const PG_TENANTS = Number(process.env.BENCH_TENANTS ?? 1_000);
const SQLITE_TENANTS = Number(process.env.BENCH_SQLITE_TENANTS ?? 1_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
/** The bench submits as 'bench', which may deploy (docs/approvals-locks-windows.md "Who may act"). */
const BENCH_ROLES = { 'deployment-admin': ['bench'] };
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 1);
const MIB = 2 ** 20;
const guid = (n: number) => `00000000-0000-4000-8000-${(0xbe000 + n).toString(16).padStart(12, '0')}`;

/** What both runs need of a fleet: its scratch directory (control.db goes there), inventory and tenants. */
interface Fleet {
  dir: string;
  inventoryFile: string;
  tenants: string[];
}

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

interface BaselineRun {
  seconds: number[];
  /** CPU of this process per package (the loop is all there is). */
  cpuMs: number[];
  peakConnections: number;
}

/** Seconds per package, each applied to every tenant in turn. */
async function baseline(
  fleet: Fleet,
  documents: IncrementalPackage[],
  connections: () => number | Promise<number> = () => 0,
): Promise<BaselineRun> {
  const controlDb = await openControlDatabase(path.join(fleet.dir, 'control.db'));
  const tenantDatabases = new InventoryTenantDatabases(loadInventory(fleet.inventoryFile));
  const activities = createActivities({ controlDb, tenantDatabases });
  const quiet = new DefaultLogger('ERROR');
  const run: BaselineRun = { seconds: [], cpuMs: [], peakConnections: 0 };
  const connectionPeak = samplePeak(connections, 500);
  try {
    for (const document of documents) {
      const packageSha256 = await publishPackage(controlDb, document);
      const [started, cpu] = [performance.now(), ownCpuMillis()];
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
      run.seconds.push((performance.now() - started) / 1000);
      run.cpuMs.push(ownCpuMillis() - cpu);
    }
  } finally {
    run.peakConnections = await connectionPeak.stop();
    await tenantDatabases.destroyAll();
    await controlDb.destroy();
  }
  return run;
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

interface Stack {
  server: DevServer;
  client: StagecoachClient;
  controlDb: Knex;
  floorRate?: number;
  close(): Promise<void>;
}

let bundle: ReturnType<typeof bundleWorkflowCode> | undefined;
const workflowBundle = () =>
  (bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') }));

/** A fresh dev server and the product's worker in this process, over the fleet's inventory. */
async function startStack(fleet: Fleet, withFloor: boolean): Promise<Stack> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-bench-deploy-'));
  const [server, { code }] = await Promise.all([
    startDevServer({ port: await freePort(), headless: true, logFile: path.join(scratch, 'temporal.log') }),
    workflowBundle(),
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
    workflowBundleCode: code,
  });
  const floorRate = withFloor
    ? await temporalFloor(nativeConnection, new Client({ connection }), fleet.tenants.length)
    : undefined;
  const running = worker.run();
  const client = await StagecoachClient.connect({ address: server.address, taskQueue });
  const close = async () => {
    worker.shutdown();
    await running;
    await client.close();
    await connection.close();
    await nativeConnection.close();
    await tenantDatabases.destroyAll();
    await controlDb.destroy();
    await server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  return { server, client, controlDb, floorRate, close };
}

interface OrchestratedRun {
  seconds: number[];
  runs: number[];
  /** CPU per package of this process (the worker, with the client and the samplers) and of the dev server. */
  workerCpuMs: number[];
  serverCpuMs: number[];
  startRss: number;
  peakRss: number;
  serverPeakRss: number;
  floorRate?: number;
  peakConnections: number;
}

/**
 * One deployment per package, in turn: the first meets instance locks that never ran (each
 * deployment starts them), the next finds them running, as long-lived locks are (docs/approvals-locks-windows.md "Instance locks").
 */
async function orchestrated(
  fleet: Fleet,
  documents: IncrementalPackage[],
  options: { floor: boolean; connections?: () => Promise<number> },
): Promise<OrchestratedRun> {
  const stack = await startStack(fleet, options.floor);
  const pid = stack.server.process.pid!;
  const run = {
    seconds: [] as number[],
    runs: [] as number[],
    workerCpuMs: [] as number[],
    serverCpuMs: [] as number[],
  };
  // The worker shares this process with the client (and the floor's worker): the growth during
  // the deployments is what they cost.
  const startRss = process.memoryUsage().rss;
  const rssPeak = samplePeak(() => process.memoryUsage().rss, 200);
  const connectionPeak = samplePeak(options.connections ?? (() => 0), 500);
  try {
    for (const document of documents) {
      const packageSha256 = await publishPackage(stack.controlDb, document);
      const [started, cpu, serverCpu] = [performance.now(), ownCpuMillis(), cpuMillisOf(pid)];
      const id = await stack.client.deployments.start({ packageSha256, concurrency: CONCURRENCY, submitter: 'bench' });
      const result = await stack.client.deployments.result(id);
      run.seconds.push((performance.now() - started) / 1000);
      run.workerCpuMs.push(ownCpuMillis() - cpu);
      run.serverCpuMs.push(cpuMillisOf(pid) - serverCpu);
      run.runs.push(result.runs);
      if (result.counts.succeeded !== fleet.tenants.length)
        throw new Error(`deployment of ${document.id}: ${JSON.stringify(result.counts)}`);
    }
    const [peakRss, peakConnections] = [await rssPeak.stop(), await connectionPeak.stop()];
    return { ...run, startRss, peakRss, serverPeakRss: peakRssOf(pid), floorRate: stack.floorRate, peakConnections };
  } finally {
    await rssPeak.stop();
    await connectionPeak.stop();
    await stack.close();
  }
}

const rate = (tenants: number, seconds: number) => tenants / seconds;
const perTenant = (ms: number, tenants: number) => (ms / tenants).toFixed(1);

/** The overhead figure: SQLite files, no network for the window to hide. Returns the first package's ratio. */
async function runSqlite(): Promise<number> {
  const documents = [benchPackage(1), benchPackage(2)];
  const ours = await createTenantFleet(SQLITE_TENANTS, { prefix: 'o', roles: BENCH_ROLES });
  const plain = await createTenantFleet(SQLITE_TENANTS, { prefix: 'b', roles: BENCH_ROLES });
  try {
    const base = await baseline(plain, documents);
    const run = await orchestrated(ours, documents, { floor: true });
    const n = SQLITE_TENANTS;
    console.log(
      `sqlite: tenants: ${n}, packages: 2 × 100 changes, window: ${CONCURRENCY}, peak RSS of the process running the worker ${(run.peakRss / MIB).toFixed(0)} MiB (${((run.peakRss - run.startRss) / MIB).toFixed(0)} MiB of it added during the deployments)`,
    );
    ['first package (instance locks start)', 'second package (instance locks running)'].forEach((label, i) => {
      console.log(
        `sqlite: ${label}: massDeployment ${run.seconds[i].toFixed(1)} s, ${rate(n, run.seconds[i]).toFixed(1)} tenants/s, ${run.runs[i]} run(s); ` +
          `sequential loop without Temporal ${base.seconds[i].toFixed(1)} s, ${rate(n, base.seconds[i]).toFixed(1)} tenants/s; ` +
          `ratio ${(base.seconds[i] / run.seconds[i]).toFixed(3)}; CPU ms/tenant: worker process ${perTenant(run.workerCpuMs[i], n)}, ` +
          `Temporal server ${perTenant(run.serverCpuMs[i], n)}, sequential loop ${perTenant(base.cpuMs[i], n)}`,
      );
    });
    console.log(
      `sqlite: floor: ${run.floorRate!.toFixed(1)} empty workflows/s on the same server (one signal-with-start and one task each); ` +
        `with one lock workflow per instance (docs/approvals-locks-windows.md) the first deployment's ratio cannot exceed ${(run.floorRate! / rate(n, base.seconds[0])).toFixed(3)} here`,
    );
    return base.seconds[0] / run.seconds[0];
  } finally {
    ours.remove();
    plain.remove();
  }
}

interface OnFleet<T> {
  result: T;
  /** CPU meanwhile of toxiproxy-server and of the PostgreSQL server with its backends (0 when not local). */
  proxyCpuMs: number;
  postgresCpuMs: number;
}

/** Runs `measure` on a fresh fleet copied from `template`, dropped afterwards; also the CPU around it meanwhile. */
async function onPostgresFleet<T>(
  template: PostgresTemplate,
  proxy: LatencyProxy,
  prefix: string,
  measure: (fleet: PostgresFleet) => Promise<T>,
): Promise<OnFleet<T>> {
  const fleet = await createPostgresFleet(PG_TENANTS, {
    prefix,
    template,
    endpoint: { host: proxy.host, port: proxy.port },
  });
  try {
    const postmaster = await localPostmasterPid();
    const postgresCpu = () => (postmaster === undefined ? 0 : treeCpuMillis(postmaster));
    const [proxyCpu, pgCpu] = [cpuMillisOf(proxy.pid), postgresCpu()];
    const result = await measure(fleet);
    return { result, proxyCpuMs: cpuMillisOf(proxy.pid) - proxyCpu, postgresCpuMs: postgresCpu() - pgCpu };
  } finally {
    await fleet.remove();
  }
}

/**
 * The figure of record: PostgreSQL tenants a network hop away. Both runs get their own fleet,
 * copied from one template just before they start, so both meet identical databases.
 */
async function runPostgres(): Promise<number> {
  const documents = [benchPackage(1)];
  const server = new URL(PG_URL);
  const upstream = { host: server.hostname, port: Number(server.port || 5432) };
  const proxy = await startLatencyProxy(upstream, LATENCY_MS);
  try {
    const [direct, proxied] = [await medianRoundTripMs(upstream), await medianRoundTripMs(proxy)];
    const template = await createPostgresTemplate();
    try {
      const base = await onPostgresFleet(template, proxy, 'b', (fleet) =>
        baseline(fleet, documents, fleet.connections),
      );
      const ours = await onPostgresFleet(template, proxy, 'o', (fleet) =>
        orchestrated(fleet, documents, { floor: false, connections: fleet.connections }),
      );
      const context = { direct, proxied, maxConnections: await serverMaxConnections() };
      reportPostgres(base, ours, context);
      return base.result.seconds[0] / ours.result.seconds[0];
    } finally {
      await template.drop();
    }
  } finally {
    await proxy.stop();
    await closePostgresAdmin();
  }
}

function reportPostgres(
  base: OnFleet<BaselineRun>,
  ours: OnFleet<OrchestratedRun>,
  context: { direct: number; proxied: number; maxConnections: number },
): void {
  const n = PG_TENANTS;
  const [b, o] = [base.result, ours.result];
  console.log(
    `postgres: tenants: ${n} databases, package: 100 changes, window: ${CONCURRENCY}, latency toxic ${LATENCY_MS} ms each way ` +
      `(select 1 round trip ${context.proxied.toFixed(2)} ms through the proxy, ${context.direct.toFixed(2)} ms direct)`,
  );
  console.log(
    `postgres: massDeployment ${o.seconds[0].toFixed(1)} s, ${rate(n, o.seconds[0]).toFixed(1)} tenants/s, ${o.runs[0]} run(s); ` +
      `sequential loop without Temporal ${b.seconds[0].toFixed(1)} s, ${rate(n, b.seconds[0]).toFixed(1)} tenants/s; ` +
      `ratio ${(b.seconds[0] / o.seconds[0]).toFixed(3)}`,
  );
  console.log(
    `postgres: CPU ms/tenant: worker process ${perTenant(o.workerCpuMs[0], n)}, Temporal server ${perTenant(o.serverCpuMs[0], n)}, ` +
      `toxiproxy ${perTenant(ours.proxyCpuMs, n)}, PostgreSQL ${perTenant(ours.postgresCpuMs, n)}; ` +
      `sequential loop ${perTenant(b.cpuMs[0], n)}, toxiproxy ${perTenant(base.proxyCpuMs, n)}, PostgreSQL ${perTenant(base.postgresCpuMs, n)}`,
  );
  console.log(
    `postgres: peak RSS: process running the worker ${(o.peakRss / MIB).toFixed(0)} MiB (${((o.peakRss - o.startRss) / MIB).toFixed(0)} MiB added during the deployment), ` +
      `Temporal server ${(o.serverPeakRss / MIB).toFixed(0)} MiB; peak connections to the tenant databases: ` +
      `${o.peakConnections} (massDeployment), ${b.peakConnections} (sequential loop), of max_connections ${context.maxConnections}`,
  );
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  // Interrupted, the run's own clean-up never comes: its 1,000 databases would stay behind. Further signals
  // (npm and tsx pass a Ctrl-C on as well) must not cut the drop short.
  const interrupt = () => {
    interrupted ??= dropRunDatabases().finally(() => process.exit(130));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, interrupt);
  // PostgreSQL first, so its peak RSS is not the SQLite run's leftovers.
  // BENCH_TENANTS=0: the SQLite run alone (the 10,000-tenant timing of bench/RESULTS.md).
  const postgresRatio = PG_TENANTS > 0 ? await runPostgres() : undefined;
  const sqliteRatio = await runSqlite();
  console.log(JSON.stringify({ bench: 'deploy-sqlite', ratio: Number(sqliteRatio.toFixed(3)), target: 0.3 }));
  // The figure the issue names: the first package, to PostgreSQL tenants whose locks never ran.
  const ratio = postgresRatio === undefined ? null : Number(postgresRatio.toFixed(3));
  console.log(JSON.stringify({ bench: 'deploy', ratio, target: 3.0 }));
}

/** The drop an interruption started: the run, failing meanwhile, must not exit before it is done. */
let interrupted: Promise<void> | undefined;

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(error);
    await interrupted;
    process.exit(1);
  },
);
