// `npm run bench:package`: applyPackage (validation, patch log and all) on PostgreSQL against the
// same changes as plain SQL statements run by psql in one transaction; plus analysis of 100,000 changes.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import knexFactory, { type Knex } from 'knex';
import { Client } from 'pg';
import { createActivities } from '../activities';
import { planStatements } from '../activities/packages/plan-sql';
import { BUILTIN_SCHEMAS, protectedTablesOf } from '../domain/tenant-schema';
import { readSnapshot } from '../activities/packages/target-reader';
import type { InstanceRef } from '../domain/landscapes';
import { analyzePackageImpact } from '../domain/packages/impact-analysis';
import { loadPackage } from '../domain/packages/load-package';
import { applyOrder } from '../domain/packages/master-order';
import type { Change, IncrementalPackage, ObjectType } from '../domain/packages/package-types';
import { simulate } from '../domain/packages/simulation';
import { createSampleTenantSchema } from '../dev/sample/tenant-schema';
import { openControlDatabase } from '../store/control-database';
import type { PackageReport } from '../contracts/packages';

const PG_URL = process.env.STAGECOACH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CHANGES = 10_000;
const EXISTING = 3_000;
const ROUNDS = 3;
const NOW = '2026-02-01T00:00:00.000Z';
const target: InstanceRef = { tenant: 'bench', landscape: 'uat' };
const guid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const LOW_TYPES: ObjectType[] = ['Form', 'List', 'Layout', 'QuickAction', 'Dashboard', 'Role'];

/** 70 % creates, 20 % updates of existing items, 10 % deletes: a release's worth of configuration. */
function benchPackage(changes: number, existing: number, version = '1'): IncrementalPackage {
  const list: Change[] = [];
  let updates = 0;
  let deletes = 0;
  for (let i = 1; i <= changes; i += 1) {
    const slot = i % 10;
    if (slot < 7) {
      const objectType = LOW_TYPES[i % LOW_TYPES.length];
      list.push({
        sequence: i,
        operation: 'C',
        objectType,
        businessObject: 'Incident',
        entityName: `Bench ${objectType} ${i}`,
        guid: guid(existing + i),
        data: { label: `Item ${i}`, columns: ['subject', 'status'], order: i },
      });
    } else if (slot < 9) {
      const n = updates++;
      list.push({
        sequence: i,
        operation: 'U',
        objectType: 'Form',
        businessObject: 'Incident',
        entityName: `Existing Form ${n}`,
        guid: guid(n),
        data: { label: `Updated ${i}` },
      });
    } else {
      const n = existing - 1 - deletes++;
      list.push({
        sequence: i,
        operation: 'D',
        objectType: 'Form',
        businessObject: 'Incident',
        entityName: `Existing Form ${n}`,
        guid: guid(n),
      });
    }
  }
  return {
    formatVersion: 1,
    kind: 'incremental',
    id: 'bench-release',
    version,
    transactionSets: [{ id: 1, changes: list }],
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function freshTarget(label: string): Promise<{ url: string; knex: Knex; drop(): Promise<void> }> {
  const name = `bench_pkg_${label}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database "${name}"`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const knex = knexFactory({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 4 } });
  await createSampleTenantSchema(knex);
  await knex('tenant_settings').insert({ key: 'metadata_locked', value: 'false' });
  for (let i = 0; i < EXISTING; i += 500) {
    const rows = Array.from({ length: Math.min(500, EXISTING - i) }, (_, k) => ({
      guid: guid(i + k),
      object_type: 'Form',
      business_object: 'Incident',
      name: `Existing Form ${i + k}`,
      definition: JSON.stringify({ label: `Existing ${i + k}`, layout: 'two-column' }),
      installed_by_package: 'bench-base',
      updated_at: NOW,
    }));
    await knex('metadata_items').insert(rows);
  }
  return {
    url: url.toString(),
    knex,
    drop: async () => {
      await knex.destroy();
      await adminQuery(`drop database if exists "${name}" with (force)`);
    },
  };
}

async function ours(pkg: IncrementalPackage, scratch: string): Promise<{ ms: number; items: number }> {
  const db = await freshTarget('ours');
  const controlDb = await openControlDatabase(path.join(scratch, `control-${randomBytes(4).toString('hex')}.db`));
  const file = path.join(scratch, 'package.json');
  fs.writeFileSync(file, JSON.stringify(pkg));
  const activities = createActivities({
    controlDb,
    tenantDatabases: { knexFor: () => Promise.resolve(db.knex), destroyAll: () => Promise.resolve() },
  });
  const env = new MockActivityEnvironment(
    { workflowExecution: { workflowId: 'bench', runId: 'bench' } },
    { logger: new DefaultLogger('ERROR') },
  );
  const started = performance.now();
  const report: PackageReport = await env.run(activities.applyPackage, {
    target,
    package: { path: file },
    mode: 'validateThenApply' as const,
  });
  const ms = performance.now() - started;
  if (report.outcome !== 'applied') throw new Error(`bench apply did not apply: ${JSON.stringify(report)}`);
  const items = Number((await db.knex('metadata_items').count({ n: '*' }))[0].n);
  await controlDb.destroy();
  await db.drop();
  return { ms, items };
}

async function baseline(pkg: IncrementalPackage, scratch: string): Promise<{ ms: number; items: number }> {
  const db = await freshTarget('psql');
  const { steps } = simulate(
    await readSnapshot(db.knex, protectedTablesOf(BUILTIN_SCHEMAS['sample-itsm'])),
    applyOrder(pkg, { landscape: 'uat', settings: {}, aspects: [] }).units,
  );
  const sql = planStatements(db.knex, steps, NOW).map((s) => `${s};`);
  const file = path.join(scratch, 'baseline.sql');
  fs.writeFileSync(file, `${sql.join('\n')}\n`);
  const started = performance.now();
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-f', file, db.url], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const ms = performance.now() - started;
  const items = Number((await db.knex('metadata_items').count({ n: '*' }))[0].n);
  await db.drop();
  return { ms, items };
}

function analyzeLarge(): { loadMs: number; analyzeMs: number; level: string } {
  const text = JSON.stringify(benchPackage(100_000, 30_000));
  let started = performance.now();
  const document = loadPackage(text, 'bench-100k');
  const loadMs = performance.now() - started;
  started = performance.now();
  const impact = analyzePackageImpact(document);
  return { loadMs, analyzeMs: performance.now() - started, level: impact.level };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-bench-'));
  const pkg = benchPackage(CHANGES, EXISTING);
  const changes = pkg.transactionSets[0].changes.length;
  const oursMs: number[] = [];
  const baseMs: number[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round += 1) {
      const a = await ours(pkg, scratch);
      const b = await baseline(pkg, scratch);
      if (a.items !== b.items) throw new Error(`targets differ: applyPackage left ${a.items} items, psql ${b.items}`);
      oursMs.push(a.ms);
      baseMs.push(b.ms);
      console.log(
        `round ${round}: applyPackage ${a.ms.toFixed(0)} ms, psql ${b.ms.toFixed(0)} ms (${changes} changes, ${a.items} items after)`,
      );
    }
    const large = analyzeLarge();
    console.log(
      `100,000-change package: load + schema + semantic checks ${large.loadMs.toFixed(0)} ms, impact analysis ${large.analyzeMs.toFixed(0)} ms (level ${large.level})`,
    );
    const ratio = median(baseMs) / median(oursMs);
    console.log(`median: applyPackage ${median(oursMs).toFixed(0)} ms, psql baseline ${median(baseMs).toFixed(0)} ms`);
    console.log(JSON.stringify({ bench: 'package', ratio: Number(ratio.toFixed(3)), target: 0.5 }));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
