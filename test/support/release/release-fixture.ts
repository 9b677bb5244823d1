import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, inject } from 'vitest';
import { stringify } from 'yaml';
import type { ActivityDependencies } from '../../../activities';
import { InventoryTenantDatabases } from '../../../activities/shared/inventory-tenant-databases';
import type { Landscape } from '../../../domain/landscapes';
import type { ReleaseSettingsSpec } from '../../../domain/release-settings';
import { loadInventory } from '../../../inventory/load-inventory';
import { generateTenantData } from '../../../dev/sample/generate-tenant-data';
import { createSampleTenantSchema } from '../../../dev/sample/tenant-schema';
import { openControlDatabase } from '../../../store/control-database';
import { scratchInventoryDatabase } from '../postgres';
import { startTestWorker, type TemporalTestContext } from '../temporal';
import { fixtureEnv } from '../database/tenant-fixture';
import { incidentBusinessObjectRow } from '../packages/tenant-fixtures';

export type Engine = 'sqlite' | 'postgres';

export interface TenantSpec {
  /** Suffix; the tenant's name gets a random part so test runs never share locks or ids. */
  label: string;
  landscapes?: Landscape[];
  /** Production with the schema only (initial provisioning starts from nothing). */
  emptyProduction?: boolean;
  release?: ReleaseSettingsSpec;
}

export interface ReleaseFixture {
  dir: string;
  inventoryFile: string;
  controlDbFile: string;
  tenantDatabases: InventoryTenantDatabases;
  controlDb: Knex;
  temporal: Client;
  /** The tenant name created for a spec's label. */
  tenant(label: string): string;
  /** A knex on a tenant instance's database (closed by cleanup); fresh after a restore swapped files. */
  open(tenant: string, landscape: Landscape): Knex;
  packageFile(name: string, document: object): string;
  /**
   * Starts the in-process test worker (a test that kills a worker process starts it later);
   * `notifications` gives it a mailer (without one, notifications are audit rows).
   */
  startWorker(
    taskQueue?: string,
    notifications?: Pick<ActivityDependencies, 'mailer' | 'mailDomain' | 'approvalUrl' | 'inventory'>,
  ): Promise<TemporalTestContext>;
  cleanup(): Promise<void>;
}

/** Approvers and release managers every release test uses; short gate timeouts that never fire first. */
export const TEST_RELEASE_SETTINGS: ReleaseSettingsSpec = {
  releaseManagers: ['rita'],
  freezeAdmins: ['olga'],
  phaseDurations: { configure: '1h' },
  gates: {
    'uat-push': { approvers: ['alice', 'bob'], requiredApprovals: 1, timeout: '10m', onTimeout: 'remind' },
    'production-push': { role: 'customer-approvers', requiredApprovals: 1, timeout: '10m', onTimeout: 'remind' },
    'go-live': { approvers: ['bob'], requiredApprovals: 1, timeout: '10m', onTimeout: 'remind' },
  },
};

/**
 * Tenants with production, staging and UAT on one engine, the sample schema and generated data,
 * an inventory with release settings, a control database and a Temporal client.
 */
export async function createReleaseFixture(engine: Engine, tenants: TenantSpec[]): Promise<ReleaseFixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `stagecoach-release-${engine}-`));
  const drops: (() => Promise<void>)[] = [];
  const names = new Map(tenants.map((t) => [t.label, `${t.label}-${randomUUID().slice(0, 6)}`]));
  const inventoryFile = await writeInventory(engine, tenants, names, dir, drops);
  const tenantDatabases = new InventoryTenantDatabases(loadInventory(inventoryFile), { env: fixtureEnv() });
  const controlDbFile = path.join(dir, 'control.db');
  const controlDb = await openControlDatabase(controlDbFile);
  const opened: Knex[] = [];
  const open = (tenant: string, landscape: Landscape) => {
    const ref = { tenant, landscape };
    const knex = knexFactory(tenantDatabases.engineFor(ref).knexConfig(tenantDatabases.connectionFor(ref)));
    opened.push(knex);
    return knex;
  };
  await seedTenants(tenants, names, open);
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const temporal = new Client({ connection });
  const workers: TemporalTestContext[] = [];
  return {
    dir,
    inventoryFile,
    controlDbFile,
    tenantDatabases,
    controlDb,
    temporal,
    tenant: (label) => names.get(label)!,
    open,
    packageFile: (name, document) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, JSON.stringify(document));
      return file;
    },
    startWorker: async (taskQueue, notifications = {}) => {
      const ctx = await startTestWorker(
        { controlDb, tenantDatabases, instanceLocks: { temporal, holderCheckSeconds: 2 }, ...notifications },
        taskQueue ? { taskQueue } : {},
      );
      workers.push(ctx);
      return ctx;
    },
    cleanup: async () => {
      for (const worker of workers) await worker.stop();
      await connection.close();
      await Promise.all(opened.map((k) => k.destroy()));
      await tenantDatabases.destroyAll();
      await controlDb.destroy();
      for (const drop of drops) await drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ReleaseSuite {
  fixture: ReleaseFixture;
  ctx: TemporalTestContext;
}

/**
 * A fixture and its in-process worker for the calling test file: built in `beforeAll`, cleaned up
 * in `afterAll`. The suite's fields are set once `beforeAll` has run, so read them inside tests.
 */
export function useReleaseFixture(engine: Engine, tenants: TenantSpec[]): ReleaseSuite {
  const suite = {} as ReleaseSuite;
  beforeAll(async () => {
    suite.fixture = await createReleaseFixture(engine, tenants);
    suite.ctx = await suite.fixture.startWorker();
  });
  afterAll(async () => {
    await suite.fixture?.cleanup();
  });
  return suite;
}

const landscapesOf = (spec: TenantSpec): Landscape[] => spec.landscapes ?? ['production', 'staging', 'uat'];

/** Writes the inventory (stagecoach.yaml) of the tenants, each instance on a database of its own; returns its path. */
async function writeInventory(
  engine: Engine,
  tenants: TenantSpec[],
  names: Map<string, string>,
  dir: string,
  drops: (() => Promise<void>)[],
): Promise<string> {
  const inventoryTenants: Record<string, unknown> = {};
  for (const spec of tenants) {
    const name = names.get(spec.label)!;
    const instances: Record<string, unknown> = {};
    for (const landscape of landscapesOf(spec)) {
      instances[landscape] = {
        database: await databaseConfig(engine, name, landscape, dir, drops),
        backupLocation: `backups/${name}/${landscape}`,
        emailDomain: landscape === 'production' ? `${name}.example.com` : `${name}-${landscape}.example.com`,
      };
    }
    inventoryTenants[name] = {
      schema: 'sample-itsm',
      cleanupScripts: [{ name: 'drop debug log', sql: "delete from app_log where level = 'debug'" }],
      ...(spec.release ? { release: spec.release } : {}),
      instances,
    };
  }
  const inventoryFile = path.join(dir, 'stagecoach.yaml');
  fs.mkdirSync(path.join(dir, 'databases'), { recursive: true });
  fs.writeFileSync(
    inventoryFile,
    stringify({
      version: 1,
      // Promotion roles as docs/mass-deployment-and-promotions.md "Roles" names them, for promotions to these tenants.
      roles: {
        'customer-approvers': ['carol'],
        'promotion-admin': ['pat'],
        'accept-bundle': ['svc-accept'],
        'deployment-admin': ['rita'],
        'lock-admin': ['ops'],
      },
      release: TEST_RELEASE_SETTINGS,
      tenants: inventoryTenants,
    }),
  );
  return inventoryFile;
}

/** The sample schema on every instance, generated data on all but an empty production. */
async function seedTenants(
  tenants: TenantSpec[],
  names: Map<string, string>,
  open: (tenant: string, landscape: Landscape) => Knex,
): Promise<void> {
  for (const spec of tenants) {
    const name = names.get(spec.label)!;
    for (const landscape of landscapesOf(spec)) {
      const knex = open(name, landscape);
      await createSampleTenantSchema(knex);
      if (!(spec.emptyProduction && landscape === 'production')) {
        await generateTenantData(knex, {
          incidents: landscape === 'production' ? 120 : 9,
          emailDomain: `${name}.example.com`,
        });
      }
      // Packages that touch incidents (an index) need the business object that maps its table.
      await knex('metadata_items').insert(incidentBusinessObjectRow('2026-01-01T00:00:00.000Z'));
    }
  }
}

async function databaseConfig(
  engine: Engine,
  tenant: string,
  landscape: Landscape,
  dir: string,
  drops: (() => Promise<void>)[],
): Promise<Record<string, unknown>> {
  if (engine === 'sqlite') return { engine: 'sqlite', file: `databases/${tenant}-${landscape}.db` };
  return scratchInventoryDatabase(`rel_${landscape}`, drops);
}
