import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { StagecoachClient } from '../../client';
import { openControlDatabase } from '../../store/control-database';
import { DeploymentStore } from '../../store/deployment-store';
import { spawnWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { form, incremental } from '../support/packages/package-builders';
import {
  createTenantFleet,
  patchLogCounts,
  publishPackage,
  type TenantFleet,
} from '../support/deployments/tenant-fleet';

// docs/mass-deployment-and-promotions.md "Mass deployment" (resumes after any crash): the real
// worker process is SIGKILLed mid-deployment and a new one finishes it.
const COUNT = 150;
let fleet: TenantFleet;
let controlDb: Knex;
let client: StagecoachClient;
const workers: WorkerProcess[] = [];
const taskQueue = `test-${randomUUID()}`;

beforeAll(async () => {
  fleet = await createTenantFleet(COUNT, { prefix: 'k' });
  controlDb = await openControlDatabase(path.join(fleet.dir, 'control.db'));
  client = await StagecoachClient.connect({ address: inject('temporalAddress'), taskQueue });
}, 60_000);

afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await client?.close();
  await controlDb?.destroy();
  fleet?.remove();
});

const startWorker = async () => {
  const worker = await spawnWorkerProcess({
    temporalAddress: inject('temporalAddress'),
    taskQueue,
    controlDbUrl: path.join(fleet.dir, 'control.db'),
    env: { STAGECOACH_INVENTORY: fleet.inventoryFile, STAGECOACH_LOCK_HOLDER_CHECK_SECONDS: '2' },
  });
  workers.push(worker);
  return worker;
};

it('a new worker finishes a deployment whose worker was killed, and no tenant gets the package twice', async () => {
  const packageSha256 = await publishPackage(
    controlDb,
    incremental('crash-forms', '2.0.0', [form(1, 'Crash Form'), form(2, 'Other Form')]),
  );
  const first = await startWorker();
  const id = await client.deployments.start({ packageSha256, concurrency: 10, submitter: 'rita' });
  const until = Date.now() + 300_000;
  let before = await client.deployments.status(id).catch(() => undefined);
  while (!before || before.counts.processed < 30) {
    if (Date.now() > until) throw new Error(`deployment did not progress: ${JSON.stringify(before?.counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    before = await client.deployments.status(id).catch(() => before);
  }
  await first.kill();
  expect(before.counts.pending).toBeGreaterThan(0);

  await startWorker();
  const result = await client.deployments.result(id);
  expect(result.counts).toMatchObject({ total: COUNT, succeeded: COUNT, failed: 0, skipped: 0 });

  // The patch log proves it: one entry per tenant, written by the deployment's child that had it.
  const logged = await patchLogCounts(controlDb, 'crash-forms');
  expect(logged.size).toBe(COUNT);
  expect([...logged.values()].every((n) => n === 1)).toBe(true);
  const entries = await controlDb('patch_log')
    .where({ package_id: 'crash-forms' })
    .select('instance_key', 'workflow_id');
  // Children are batches named `<deployment>/<first tenant>..<last tenant>`, in list order.
  for (const entry of entries as Array<{ instance_key: string; workflow_id: string }>) {
    const tenant = entry.instance_key.split('/')[0];
    expect(entry.workflow_id.startsWith(`${id}/`)).toBe(true);
    const [first, last = first] = entry.workflow_id.slice(id.length + 1).split('..');
    expect(first <= tenant && tenant <= last, `${tenant} logged by ${entry.workflow_id}`).toBe(true);
  }
  for (const tenant of [fleet.tenants[0], fleet.tenants[COUNT - 1]]) {
    const knex = fleet.open(tenant);
    expect(await knex('applied_packages').where({ package_id: 'crash-forms' }).count({ n: '*' })).toEqual([{ n: 1 }]);
    expect(await knex('metadata_items').where({ name: 'Crash Form' }).count({ n: '*' })).toEqual([{ n: 1 }]);
    await knex.destroy();
  }
  expect(await new DeploymentStore(controlDb).tenants(id, { status: 'succeeded' })).toHaveLength(COUNT);
}, 600_000);
