import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { TenantDatabases } from '../../../activities/shared/tenant-databases';
import { instanceKey, type InstanceRef } from '../../../domain/landscapes';
import { createSampleTenantSchema } from '../../../dev/sample/tenant-schema';
import { knexConfigFor } from '../../../store/control-database';
import { createScratchDatabase } from '../postgres';

export type EngineName = 'sqlite' | 'postgres' | 'mssql';
/**
 * SQLite and PostgreSQL always; SQL Server when MSSQL_URL points at one (none runs on the
 * development machine, so those runs happen only where a server is configured).
 */
export const ENGINES: EngineName[] = ['sqlite', 'postgres', ...(process.env.MSSQL_URL ? (['mssql'] as const) : [])];

export interface TenantDatabase {
  knex: Knex;
  drop(): Promise<void>;
}

export const INCIDENT_BO_GUID = '00000000-0000-4000-8000-00000000b001';
export const TARGET_CREATED_GUID = '00000000-0000-4000-8000-00000000c001';

/** The `metadata_items` row of the business object that maps the incidents table. */
export function incidentBusinessObjectRow(updatedAt: string): Record<string, unknown> {
  return {
    guid: INCIDENT_BO_GUID,
    object_type: 'BusinessObject',
    business_object: null,
    name: 'Incident',
    definition: JSON.stringify({ table: 'incidents', label: 'Incident' }),
    installed_by_package: null,
    updated_at: updatedAt,
  };
}

/** A sample tenant database with a little of everything, on a real engine. */
export async function createTenantDatabase(engine: EngineName, label: string): Promise<TenantDatabase> {
  const opened =
    engine === 'sqlite'
      ? openSqlite(label)
      : engine === 'postgres'
        ? await openPostgres(label)
        : await openMssql(label);
  await createSampleTenantSchema(opened.knex);
  await seedTenant(opened.knex);
  return opened;
}

function openSqlite(label: string): TenantDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `stagecoach-pkg-${label}-`));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'tenant.db') },
    useNullAsDefault: true,
  });
  return {
    knex,
    drop: async () => {
      await knex.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(label: string): Promise<TenantDatabase> {
  const scratch = await createScratchDatabase(`pkg_${label.replace(/\W/g, '_')}`);
  const knex = knexFactory({ client: 'pg', connection: scratch.url, pool: { min: 0, max: 4 } });
  return {
    knex,
    drop: async () => {
      await knex.destroy();
      await scratch.drop();
    },
  };
}

async function openMssql(label: string): Promise<TenantDatabase> {
  const name = `stagecoach_pkg_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  const server = new URL(process.env.MSSQL_URL!.replace(/^sqlserver:/, 'mssql:'));
  const on = (database: string) => {
    const url = new URL(server);
    url.pathname = `/${database}`;
    return knexFactory(knexConfigFor(url.toString()));
  };
  const master = on('master');
  await master.raw(`CREATE DATABASE [${name}]`);
  const knex = on(name);
  return {
    knex,
    drop: async () => {
      await knex.destroy();
      await master.raw(`ALTER DATABASE [${name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [${name}]`);
      await master.destroy();
    },
  };
}

export async function seedTenant(knex: Knex): Promise<void> {
  const now = '2026-01-01T00:00:00.000Z';
  await knex('tenant_settings').insert([
    { key: 'metadata_locked', value: 'false' },
    { key: 'edition', value: 'enterprise' },
  ]);
  await knex('metadata_items').insert([
    incidentBusinessObjectRow(now),
    {
      guid: TARGET_CREATED_GUID,
      object_type: 'Form',
      business_object: 'Incident',
      name: 'Local Triage Form',
      definition: JSON.stringify({ layout: 'local' }),
      installed_by_package: null,
      updated_at: now,
    },
  ]);
  await knex('validation_lists').insert({
    guid: '00000000-0000-4000-8000-00000000d001',
    name: 'Priority',
    installed_by_package: null,
  });
  await knex('validation_list_values').insert([
    { list_guid: '00000000-0000-4000-8000-00000000d001', value: 'High', ordinal: 0 },
    { list_guid: '00000000-0000-4000-8000-00000000d001', value: 'Low', ordinal: 1 },
  ]);
  await knex('incidents').insert([
    { subject: 'Printer on fire', status: 'open', priority: 1, created_at: now },
    { subject: 'VPN down', status: 'open', priority: 2, created_at: now },
  ]);
}

/** The TenantDatabases contract over knex instances the test opened itself. */
export function tenantDatabasesOf(entries: Array<[InstanceRef, Knex]>): TenantDatabases {
  const byKey = new Map(entries.map(([ref, knex]) => [instanceKey(ref), knex]));
  return {
    knexFor: (instance) => {
      const knex = byKey.get(instanceKey(instance));
      if (!knex) throw new Error(`no test database for ${instanceKey(instance)}`);
      return Promise.resolve(knex);
    },
    destroyAll: () => Promise.resolve(),
  };
}

export async function setSetting(knex: Knex, key: string, value: string): Promise<void> {
  await knex('tenant_settings').where({ key }).delete();
  await knex('tenant_settings').insert({ key, value });
}
