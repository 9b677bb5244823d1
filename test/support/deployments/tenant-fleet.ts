import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { stringify } from 'yaml';
import { sha256 } from '../../../activities/packages/package-source';
import type { PackageDocument } from '../../../domain/packages/package-types';
import { createSampleTenantSchema } from '../../../dev/sample/tenant-schema';
import { PackageStore } from '../../../store/package-store';
import { seedTenant } from '../packages/tenant-fixtures';

export interface TenantFleet {
  dir: string;
  inventoryFile: string;
  tenants: string[];
  databaseFile(tenant: string): string;
  /** Opens one tenant's database (close it after use). */
  open(tenant: string): Knex;
  remove(): void;
}

/**
 * Many tiny SQLite tenants: one sample database built once with small pages, copied per tenant,
 * and an inventory naming them all (the worker's real InventoryTenantDatabases opens them).
 */
export async function createTenantFleet(
  count: number,
  options: {
    prefix?: string;
    contacts?: (index: number) => string | undefined;
    /** Inventory tags and dependencies (docs/mass-deployment-and-promotions.md "Waves" and "Order"). */
    entry?: (index: number, tenants: string[]) => Record<string, unknown> | undefined;
    /** The inventory's roles; rita may deploy (docs/approvals-locks-windows.md "Who may act"). */
    roles?: Record<string, string[]>;
  } = {},
): Promise<TenantFleet> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-fleet-'));
  const template = path.join(dir, 'template.db');
  const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: template }, useNullAsDefault: true });
  await knex.raw('pragma page_size = 1024');
  await createSampleTenantSchema(knex);
  await seedTenant(knex);
  await knex.raw('vacuum');
  await knex.destroy();
  const prefix = options.prefix ?? 't';
  const tenants = Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
  const databaseFile = (tenant: string) => path.join(dir, 'tenants', `${tenant}.db`);
  fs.mkdirSync(path.join(dir, 'tenants'));
  const inventory: Record<string, unknown> = {};
  tenants.forEach((tenant, i) => {
    fs.copyFileSync(template, databaseFile(tenant));
    const contact = options.contacts?.(i);
    inventory[tenant] = {
      schema: 'sample-itsm',
      ...(contact ? { contact } : {}),
      ...options.entry?.(i, tenants),
      instances: {
        production: {
          database: { engine: 'sqlite', file: `tenants/${tenant}.db` },
          backupLocation: `backups/${tenant}`,
          emailDomain: `${tenant}.example.com`,
        },
      },
    };
  });
  const inventoryFile = path.join(dir, 'stagecoach.yaml');
  const roles = options.roles ?? { 'deployment-admin': ['rita'] };
  fs.writeFileSync(inventoryFile, stringify({ version: 1, roles, tenants: inventory }));
  return {
    dir,
    inventoryFile,
    tenants,
    databaseFile,
    open: (tenant) =>
      knexFactory({ client: 'better-sqlite3', connection: { filename: databaseFile(tenant) }, useNullAsDefault: true }),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Publishes a package: stored in the control database by the SHA-256 of its text. */
export async function publishPackage(controlDb: Knex, document: PackageDocument): Promise<string> {
  const content = JSON.stringify(document);
  const hash = sha256(content);
  await new PackageStore(controlDb).put({
    sha256: hash,
    packageId: document.id,
    packageVersion: document.version,
    content,
    storedAt: new Date().toISOString(),
  });
  return hash;
}

/** Patch log entries per instance for one package: the proof that nobody got it twice. */
export async function patchLogCounts(controlDb: Knex, packageId: string): Promise<Map<string, number>> {
  const rows = (await controlDb('patch_log')
    .where({ package_id: packageId })
    .select('instance_key')
    .count({ n: '*' })
    .groupBy('instance_key')) as Array<{ instance_key: string; n: number }>;
  return new Map(rows.map((r) => [r.instance_key, Number(r.n)]));
}
