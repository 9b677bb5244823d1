// `npm run bench:db`: the copyDatabase workflow (pg_dump with snapshot fingerprints, SHA-256,
// streaming copy, SHA-256 check, pg_restore into scratch + swap, verification) on a ~1 GB
// PostgreSQL database vs plain `pg_dump -Fc` + `pg_restore`. Target ratio ours/baseline ≤ 1.3.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import knexFactory from 'knex';
import { createActivities } from '../activities';
import { createSampleTenantSchema } from '../dev/sample/tenant-schema';
import { generateTenantData } from '../dev/sample/generate-tenant-data';
import { freePort, startDevServer } from '../dev/dev-server';
import { createWorker } from '../worker/create-worker';
import { benchFixture, machine, PG_URL, pgDatabase, psql, seconds } from './bench-fixture';
import type { CopyDatabaseResult } from '../contracts/database';

const INCIDENTS = Number(process.env.BENCH_DB_INCIDENTS ?? 1_000_000);
const SOURCE = 'bench_db_production';
const TARGET = 'bench_db_uat';
const BASELINE_TARGET = 'bench_db_baseline';
const ROUNDS = Number(process.env.BENCH_DB_ROUNDS ?? 2);

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  for (const db of [SOURCE, TARGET, BASELINE_TARGET]) psql(`drop database if exists ${db} with (force)`);
  psql(`create database ${SOURCE}`);
  const fixture = await benchFixture('db', { production: pgDatabase(SOURCE), uat: pgDatabase(TARGET) });
  const server = await startDevServer({
    port: await freePort(),
    headless: true,
    logFile: path.join(fixture.dir, 'temporal.log'),
  });
  try {
    await generateSource(fixture);
    const size = Number(psql(`select pg_database_size('${SOURCE}')`).trim());
    console.log(`source database: ${(size / 1024 ** 3).toFixed(2)} GiB (${INCIDENTS.toLocaleString('en')} incidents)`);

    const connection = await NativeConnection.connect({ address: server.address });
    const taskQueue = 'bench-db';
    const worker = await createWorker({
      connection,
      namespace: 'default',
      taskQueue,
      activities: createActivities({ controlDb: fixture.controlDb, tenantDatabases: fixture.tenantDatabases }),
    });
    const running = worker.run();
    const clientConnection = await Connection.connect({ address: server.address });
    const client = new Client({ connection: clientConnection });
    // Alternating rounds: the machine is shared, so neither side gets all the quiet moments.
    const baseline: number[] = [];
    const ours: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      psql(`drop database if exists ${BASELINE_TARGET} with (force)`);
      const dump = path.join(fixture.dir, 'baseline.dump');
      let started = process.hrtime.bigint();
      execFileSync('pg_dump', ['-Fc', '-f', dump, url(SOURCE)]);
      psql(`create database ${BASELINE_TARGET}`);
      execFileSync('pg_restore', ['--no-owner', '-d', url(BASELINE_TARGET), dump]);
      baseline.push(seconds(started));

      started = process.hrtime.bigint();
      const result: CopyDatabaseResult = await client.workflow.execute('copyDatabase', {
        taskQueue,
        workflowId: `bench-db-${Date.now()}`,
        args: [
          { tenant: 'bench', source: 'production', target: 'uat', backupType: 'live', fixups: false, shrink: false },
        ],
      });
      ours.push(seconds(started));
      console.log(
        `round ${round + 1}: pg_dump -Fc + pg_restore ${baseline[round].toFixed(1)} s; copyDatabase ${ours[round].toFixed(1)} s ` +
          `(verified ${result.verified.tables} tables, ${result.verified.rows.toLocaleString('en')} rows; backup ${(result.backup.sizeBytes / 1024 ** 2).toFixed(0)} MiB)`,
      );
    }
    worker.shutdown();
    await running;
    await clientConnection.close();
    await connection.close();
    const best = (xs: number[]) => Math.min(...xs);
    console.log(`machine: ${machine()}`);
    console.log(
      `best of ${ROUNDS}: copyDatabase ${best(ours).toFixed(1)} s, pg_dump -Fc + pg_restore ${best(baseline).toFixed(1)} s`,
    );
    console.log(
      JSON.stringify({
        bench: 'db',
        databaseBytes: size,
        ours: +best(ours).toFixed(2),
        baseline: +best(baseline).toFixed(2),
        ratio: +(best(ours) / best(baseline)).toFixed(3),
        target: 1.3,
      }),
    );
  } finally {
    await server.stop();
    await fixture.close();
    for (const db of [SOURCE, TARGET, BASELINE_TARGET]) psql(`drop database if exists ${db} with (force)`);
  }
}

async function generateSource(fixture: Awaited<ReturnType<typeof benchFixture>>): Promise<void> {
  const ref = { tenant: 'bench', landscape: 'production' as const };
  const knex = knexFactory(
    fixture.tenantDatabases.engineFor(ref).knexConfig(fixture.tenantDatabases.connectionFor(ref)),
  );
  await createSampleTenantSchema(knex);
  // ~1 KB per incident: a million of them make a database of about 1 GB.
  await generateTenantData(knex, { incidents: INCIDENTS, descriptionLength: 900 });
  await knex.raw('vacuum analyze');
  await knex.destroy();
}

function url(database: string): string {
  const parsed = new URL(PG_URL);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
