import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import knexFactory, { type Knex } from 'knex';
import { createInstanceFlagActivities } from '../../../activities/instance-flags/instance-flags';
import type { TenantDatabases } from '../../../activities/shared/tenant-databases';
import type { InstanceRef } from '../../../domain/landscapes';
import { createSampleTenantSchema } from '../../../dev/sample/tenant-schema';
import { createScratchDatabase } from '../../support/postgres';

// The flag activities on a real SQLite file and a real scratch PostgreSQL database, both with
// the sample tenant schema, reached through a small TenantDatabases of the test's own.
const production: InstanceRef = { tenant: 'acme', landscape: 'production' };
const uat: InstanceRef = { tenant: 'acme', landscape: 'uat' };
let scratchDir: string;
let dropPostgres: () => Promise<void>;
const engines: Record<string, Knex> = {};

beforeAll(async () => {
  scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-flags-'));
  engines.sqlite = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(scratchDir, 'acme.db') },
    useNullAsDefault: true,
  });
  const postgres = await createScratchDatabase('flags');
  dropPostgres = postgres.drop;
  engines.postgres = knexFactory({ client: 'pg', connection: postgres.url, pool: { min: 0, max: 4 } });
  for (const knex of Object.values(engines)) await createSampleTenantSchema(knex);
  await engines.postgres('tenant_settings').insert({ key: 'metadata_locked', value: 'false' });
});

afterAll(async () => {
  for (const knex of Object.values(engines)) await knex.destroy();
  await dropPostgres?.();
  fs.rmSync(scratchDir, { recursive: true, force: true });
});

/** Production on one engine; UAT is an instance whose database lacks the settings table. */
function tenantDatabases(engine: string, uatKnex?: Knex): TenantDatabases {
  return {
    knexFor: async (instance) => (instance.landscape === 'uat' && uatKnex ? uatKnex : engines[engine]),
    destroyAll: async () => undefined,
  };
}

describe.each(['sqlite', 'postgres'])('instance flags on %s', (engine) => {
  const activities = () => createInstanceFlagActivities({ tenantDatabases: () => tenantDatabases(engine) });
  const row = async (key: string) => (await engines[engine]('tenant_settings').where({ key }).first())?.value;

  it('locks metadata, idempotently, and reports what was there before', async () => {
    const { setMetadataLock, readInstanceFlags } = activities();
    const before = engine === 'postgres' ? false : undefined;
    expect(await setMetadataLock({ instance: production, locked: true })).toEqual({
      flag: 'metadataLocked',
      value: true,
      previous: before,
      changed: true,
    });
    expect(await setMetadataLock({ instance: production, locked: true })).toMatchObject({
      previous: true,
      changed: false,
    });
    expect(await row('metadata_locked')).toBe('true');
    expect(await readInstanceFlags({ instance: production })).toEqual({ metadataLocked: true, maintenanceMode: false });

    await setMetadataLock({ instance: production, locked: false });
    expect(await row('metadata_locked')).toBe('false');
    expect(
      Number((await engines[engine]('tenant_settings').where({ key: 'metadata_locked' }).count({ n: '*' }))[0].n),
    ).toBe(1);
  });

  it('switches maintenance mode on and off, also when called concurrently', async () => {
    const { setMaintenanceMode, readInstanceFlags } = activities();
    await Promise.all([1, 2, 3].map(() => setMaintenanceMode({ instance: production, on: true })));
    expect(await row('maintenance_mode')).toBe('true');
    expect(
      Number((await engines[engine]('tenant_settings').where({ key: 'maintenance_mode' }).count({ n: '*' }))[0].n),
    ).toBe(1);
    expect((await readInstanceFlags({ instance: production })).maintenanceMode).toBe(true);
    expect(await setMaintenanceMode({ instance: production, on: false })).toMatchObject({
      previous: true,
      changed: true,
    });
  });
});

describe('instance flags, failures', () => {
  it('names the instance whose database has no tenant_settings table, without retrying', async () => {
    const empty = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(scratchDir, 'empty.db') },
      useNullAsDefault: true,
    });
    try {
      const { setMetadataLock } = createInstanceFlagActivities({
        tenantDatabases: () => tenantDatabases('sqlite', empty),
      });
      await expect(setMetadataLock({ instance: uat, locked: true })).rejects.toMatchObject({
        nonRetryable: true,
        type: 'MissingSettingsTable',
        message: expect.stringContaining('acme/uat has no tenant_settings table'),
      });
    } finally {
      await empty.destroy();
    }
  });
});
