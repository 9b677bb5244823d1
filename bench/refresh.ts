// `npm run bench:refresh`: rows/s of the transactional refresh (PostgreSQL → PostgreSQL) vs
// `psql COPY … TO STDOUT | psql COPY … FROM STDIN` on the same table. Target ours/COPY ≥ 0.5.
import { execSync } from 'node:child_process';
import knexFactory from 'knex';
import { createActivities } from '../activities';
import { createSampleTenantSchema } from '../dev/sample/tenant-schema';
import { generateTenantData } from '../dev/sample/generate-tenant-data';
import { benchFixture, machine, PG_URL, pgDatabase, psql, seconds } from './bench-fixture';

const ROWS = Number(process.env.BENCH_REFRESH_ROWS ?? 2_000_000);
const ROUNDS = 3;
const SOURCE = 'bench_refresh_production';
const TARGET = 'bench_refresh_uat';

async function main(): Promise<void> {
  for (const db of [SOURCE, TARGET]) {
    psql(`drop database if exists ${db} with (force)`);
    psql(`create database ${db}`);
  }
  const fixture = await benchFixture('refresh', { production: pgDatabase(SOURCE), uat: pgDatabase(TARGET) });
  try {
    for (const [landscape, rows] of [
      ['production', ROWS],
      ['uat', 10],
    ] as const) {
      const knex = knexFactory(
        fixture.tenantDatabases
          .engineFor({ tenant: 'bench', landscape })
          .knexConfig(fixture.tenantDatabases.connectionFor({ tenant: 'bench', landscape })),
      );
      await createSampleTenantSchema(knex);
      await generateTenantData(knex, { incidents: rows, incidentNotes: 0, changeRequests: 0, appLog: 0 });
      await knex.destroy();
    }
    const activities = createActivities({ controlDb: fixture.controlDb, tenantDatabases: fixture.tenantDatabases });
    // Untimed first refresh: every timed run (ours and COPY alike) then replaces ROWS rows.
    await activities.refreshTransactionalData({
      source: { tenant: 'bench', landscape: 'production' },
      target: { tenant: 'bench', landscape: 'uat' },
    });
    const ours: number[] = [];
    const copy: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Both sides start from a vacuumed target: dead rows of the previous round cost neither.
      psql('vacuum incidents', TARGET);
      let started = process.hrtime.bigint();
      const result = await activities.refreshTransactionalData({
        source: { tenant: 'bench', landscape: 'production' },
        target: { tenant: 'bench', landscape: 'uat' },
      });
      ours.push(result.rows / seconds(started));

      psql('vacuum incidents', TARGET);
      started = process.hrtime.bigint();
      execSync(
        `psql "${url(SOURCE)}" -qAtc "copy incidents to stdout" | psql "${url(TARGET)}" -v ON_ERROR_STOP=1 -qAtc "begin; delete from incidents; copy incidents from stdin; commit;"`,
        { stdio: ['ignore', 'ignore', 'inherit'], shell: '/bin/bash' },
      );
      copy.push(ROWS / seconds(started));
      const count = Number(psql('select count(*) from incidents', TARGET).trim());
      if (count !== ROWS) throw new Error(`baseline copied ${count} rows`);
      console.log(`round ${round + 1}: refresh ${fmt(ours[round])} rows/s, COPY | COPY ${fmt(copy[round])} rows/s`);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const ratio = median(ours) / median(copy);
    console.log(`machine: ${machine()}`);
    console.log(
      `table incidents, ${ROWS.toLocaleString('en')} rows; median of ${ROUNDS}: refresh ${fmt(median(ours))} rows/s, COPY | COPY ${fmt(median(copy))} rows/s`,
    );
    console.log(
      JSON.stringify({
        bench: 'refresh',
        rows: ROWS,
        oursRowsPerSecond: Math.round(median(ours)),
        copyRowsPerSecond: Math.round(median(copy)),
        ratio: +ratio.toFixed(3),
        target: 0.5,
      }),
    );
  } finally {
    await fixture.close();
    for (const db of [SOURCE, TARGET]) psql(`drop database if exists ${db} with (force)`);
  }
}

function url(database: string): string {
  const parsed = new URL(PG_URL);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function fmt(rate: number): string {
  return Math.round(rate).toLocaleString('en');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
