import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { stringify } from 'yaml';
import type { Landscape } from '../../../domain/landscapes';
import { InventoryTenantDatabases } from '../../../activities/shared/inventory-tenant-databases';
import { loadInventory } from '../../../inventory/load-inventory';
import { openControlDatabase } from '../../../store/control-database';
import { createSampleTenantSchema } from '../../../dev/sample/tenant-schema';
import { generateTenantData, type TenantDataOptions } from '../../../dev/sample/generate-tenant-data';
import { POSTGRES_URL, scratchInventoryDatabase } from '../postgres';

export type TestEngine = 'sqlite' | 'postgres';

export interface TenantFixture {
  dir: string;
  inventoryFile: string;
  tenantDatabases: InventoryTenantDatabases;
  controlDb: Knex;
  /** A fresh knex on an instance's database (closed by `cleanup`). */
  open(landscape: Landscape): Knex;
  cleanup(): Promise<void>;
}

const LANDSCAPES: Landscape[] = ['production', 'staging', 'uat'];

/**
 * A tenant `acme` with production, staging and UAT on one engine, an inventory file pointing at
 * them, and a control database. Production gets the sample schema and `data`; the others get
 * the schema and a little different data of their own.
 */
export async function createTenantFixture(
  engine: TestEngine,
  data: TenantDataOptions,
  extra: { env?: NodeJS.ProcessEnv; user?: string; shrinkCap?: string } = {},
): Promise<TenantFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `stagecoach-db-${engine}-`));
  fs.mkdirSync(path.join(dir, 'databases'));
  const drops: (() => Promise<void>)[] = [];
  const instances: Record<string, unknown> = {};
  for (const landscape of LANDSCAPES) {
    instances[landscape] = {
      database: await databaseConfig(engine, landscape, dir, drops, extra.user),
      backupLocation: `backups/${landscape}`,
      emailDomain: landscape === 'production' ? 'acme.example.com' : `acme-${landscape}.example.com`,
    };
  }
  const inventoryFile = path.join(dir, 'stagecoach.yaml');
  fs.writeFileSync(
    inventoryFile,
    stringify({
      version: 1,
      tenants: {
        acme: {
          schema: 'sample-itsm',
          shrinkCap: extra.shrinkCap ?? '5GB',
          cleanupScripts: [{ name: 'drop debug log', sql: "delete from app_log where level = 'debug'" }],
          instances,
        },
      },
    }),
  );
  const tenantDatabases = new InventoryTenantDatabases(loadInventory(inventoryFile), {
    env: extra.env ?? fixtureEnv(),
  });
  const controlDb = await openControlDatabase(path.join(dir, 'control.db'));
  const opened: Knex[] = [];
  const open = (landscape: Landscape) => {
    const ref = { tenant: 'acme', landscape };
    const knex = knexFactory(tenantDatabases.engineFor(ref).knexConfig(tenantDatabases.connectionFor(ref)));
    opened.push(knex);
    return knex;
  };
  for (const landscape of LANDSCAPES) {
    const knex = open(landscape);
    await createSampleTenantSchema(knex);
    const own = landscape === 'production' ? data : { incidents: 7, emailDomain: `acme-${landscape}.example.com` };
    await generateTenantData(knex, { emailDomain: 'acme.example.com', ...own });
    await knex.destroy();
  }
  return {
    dir,
    inventoryFile,
    tenantDatabases,
    controlDb,
    open,
    cleanup: async () => {
      await Promise.all(opened.map((k) => k.destroy()));
      await tenantDatabases.destroyAll();
      await controlDb.destroy();
      for (const drop of drops) await drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function databaseConfig(
  engine: TestEngine,
  landscape: Landscape,
  dir: string,
  drops: (() => Promise<void>)[],
  user?: string,
): Promise<Record<string, unknown>> {
  if (engine === 'sqlite') return { engine: 'sqlite', file: `databases/acme-${landscape}.db` };
  return scratchInventoryDatabase(`acme_${landscape}`, drops, user);
}

/** The env a PostgreSQL fixture's `${ACME_PG_PASSWORD}` reference resolves from. */
export function fixtureEnv(): NodeJS.ProcessEnv {
  return { ...process.env, ACME_PG_PASSWORD: decodeURIComponent(new URL(POSTGRES_URL).password) };
}
