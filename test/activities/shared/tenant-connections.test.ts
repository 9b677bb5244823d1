import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryTenantDatabases } from '../../../activities/shared/inventory-tenant-databases';
import { parseInventory } from '../../../inventory/load-inventory';
import { createScratchDatabase, POSTGRES_URL, requirePostgres } from '../../support/postgres';

// A mass deployment touches thousands of instances, often on one shared server: the worker must
// not keep a connection open per instance it has used (PostgreSQL allows 100 by default).
const server = new URL(POSTGRES_URL);
const TENANTS = 12;

describe('tenant connections on a shared PostgreSQL server', () => {
  let scratch: Array<{ name: string; drop(): Promise<void> }>;
  let databases: InventoryTenantDatabases;

  beforeAll(async () => {
    await requirePostgres();
    scratch = await Promise.all(Array.from({ length: TENANTS }, () => createScratchDatabase('pool_tenant')));
    const tenants = scratch
      .map(
        (db, i) => `
  t${i}:
    schema: sample-itsm
    instances:
      production:
        database: { engine: postgres, host: ${server.hostname}, port: ${Number(server.port || 5432)}, user: ${decodeURIComponent(server.username) || 'postgres'}, database: ${db.name} }
        backupLocation: backups/t${i}
        emailDomain: t${i}.example.com`,
      )
      .join('');
    databases = new InventoryTenantDatabases(
      parseInventory(`version: 1\ntenants:${tenants}\n`, path.join(os.tmpdir(), 'stagecoach.yaml')),
    );
  });

  afterAll(async () => {
    await databases?.destroyAll();
    await Promise.all((scratch ?? []).map((db) => db.drop()));
  });

  async function openConnections(): Promise<number> {
    const admin = new Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ n: string }>(
        'select count(*) as n from pg_stat_activity where datname = any($1)',
        [scratch.map((db) => db.name)],
      );
      return Number(rows[0].n);
    } finally {
      await admin.end();
    }
  }

  it('closes each instance connection within seconds of its last use, and reconnects when asked again', async () => {
    for (let i = 0; i < TENANTS; i++) {
      const knex = await databases.knexFor({ tenant: `t${i}`, landscape: 'production' });
      await knex.raw('select 1');
    }
    expect(await openConnections()).toBeGreaterThan(0);
    // The pool default kept them for 30 s; they must be gone well before that.
    await expect.poll(openConnections, { timeout: 10_000, interval: 250 }).toBe(0);

    const again = await databases.knexFor({ tenant: 't0', landscape: 'production' });
    expect((await again.raw('select current_database() as name')).rows[0].name).toBe(scratch[0].name);
  });
});
