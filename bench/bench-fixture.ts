// Shared set-up for the database benchmarks: a scratch directory, an inventory and a control DB.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { stringify } from 'yaml';
import { InventoryTenantDatabases } from '../activities/shared/inventory-tenant-databases';
import { loadInventory } from '../inventory/load-inventory';
import { openControlDatabase } from '../store/control-database';

export const PG_URL =
  process.env.STAGECOACH_BENCH_PG_URL ??
  process.env.STAGECOACH_TEST_PG_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchFixture {
  dir: string;
  tenantDatabases: InventoryTenantDatabases;
  controlDb: Knex;
  close(): Promise<void>;
}

/** Tenant `bench` with production and UAT on the given databases (SQLite file names or PG database names). */
export async function benchFixture(
  name: string,
  databases: { production: object; uat: object },
): Promise<BenchFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `stagecoach-bench-${name}-`));
  const instance = (landscape: string, database: object) => ({
    database,
    backupLocation: `backups/${landscape}`,
    emailDomain: `bench-${landscape}.example.com`,
  });
  const file = path.join(dir, 'stagecoach.yaml');
  fs.writeFileSync(
    file,
    stringify({
      version: 1,
      tenants: {
        bench: {
          schema: 'sample-itsm',
          instances: { production: instance('production', databases.production), uat: instance('uat', databases.uat) },
        },
      },
    }),
  );
  const tenantDatabases = new InventoryTenantDatabases(loadInventory(file));
  const controlDb = await openControlDatabase(path.join(dir, 'control.db'));
  return {
    dir,
    tenantDatabases,
    controlDb,
    close: async () => {
      await tenantDatabases.destroyAll();
      await controlDb.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The PostgreSQL server of PG_URL as inventory fields. */
export function pgDatabase(database: string): object {
  const url = new URL(PG_URL);
  return {
    engine: 'postgres',
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username) || 'postgres',
    database,
  };
}

export function psql(sql: string, database = 'postgres'): string {
  const url = new URL(PG_URL);
  url.pathname = `/${database}`;
  return execFileSync('psql', [url.toString(), '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });
}

export function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB RAM`;
}
