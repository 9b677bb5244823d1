import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { DatabaseError, type DatabaseConnection } from '../../engines/engine';
import { InventoryTenantDatabases } from '../../activities/shared/inventory-tenant-databases';
import { PostgresEngine } from '../../engines/postgres/postgres-engine';
import { SqliteEngine } from '../../engines/sqlite/sqlite-engine';
import { parseInventory } from '../../inventory/load-inventory';
import { openControlDatabase } from '../../store/control-database';
import { createScratchDatabase, POSTGRES_URL } from '../support/postgres';
import type { Knex } from 'knex';
import { stringify } from 'yaml';

async function errorOf(run: () => Promise<unknown>): Promise<DatabaseError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(DatabaseError);
    return error as DatabaseError;
  }
  throw new Error('expected a failure');
}

const server = new URL(POSTGRES_URL);
const pgServer = {
  engine: 'postgres' as const,
  host: server.hostname,
  port: Number(server.port || 5432),
  user: decodeURIComponent(server.username) || 'postgres',
  password: decodeURIComponent(server.password) || undefined,
};

describe('engine failures are classified and name what failed', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-errors-'));
    fs.writeFileSync(path.join(dir, 'garbage.bak'), 'this is not a backup\n'.repeat(100));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['sqlite', new SqliteEngine()],
    ['postgres', new PostgresEngine()],
  ] as const)(
    '%s: a missing backup file is missing-file, a foreign file is checksum, both non-retryable',
    async (_name, engine) => {
      const missing = await errorOf(() => engine.verifyBackup(path.join(dir, 'absent.bak')));
      expect(missing).toMatchObject({ kind: 'missing-file', retryable: false });
      expect(missing.message).toContain(path.join(dir, 'absent.bak'));
      const garbage = await errorOf(() => engine.verifyBackup(path.join(dir, 'garbage.bak')));
      expect(garbage).toMatchObject({ kind: 'checksum', retryable: false });
      expect(garbage.message).toContain(path.join(dir, 'garbage.bak'));
    },
  );

  it('postgres: restoring a missing file leaves the target as it was', async () => {
    const target = await createScratchDatabase('errors_target');
    try {
      const engine = new PostgresEngine();
      const connection: DatabaseConnection = { ...pgServer, database: target.name };
      const error = await errorOf(() =>
        engine.restore(connection, path.join(dir, 'absent.dump'), { scratchName: 'stagecoach_restore_errtest' }),
      );
      expect(error.kind).toBe('missing-file');
      expect(await engine.databaseExists(connection)).toBe(true);
      expect(await engine.databaseExists({ ...connection, database: 'stagecoach_restore_errtest' })).toBe(false);
    } finally {
      await target.drop();
    }
  });

  it('postgres: an unknown role is an auth failure naming the database, and never shows the password', async () => {
    const engine = new PostgresEngine();
    const error = await errorOf(() =>
      engine.fingerprints({ ...pgServer, user: 'no_such_role', password: 'pw-never-shown', database: 'postgres' }, [
        'x',
      ]),
    );
    expect(error.kind).toBe('auth');
    expect(error.message).toContain(`postgres://${pgServer.host}:${pgServer.port}/postgres`);
    expect(error.message).not.toContain('pw-never-shown');
  });
});

describe('database activities turn engine failures into non-retryable failures', () => {
  let dir: string;
  let controlDb: Knex;
  let databases: InventoryTenantDatabases;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-errors-act-'));
    controlDb = await openControlDatabase(path.join(dir, 'control.db'));
    const production = {
      database: { ...pgServer, user: 'no_such_role', password: '${ACME_PW}', database: 'acme_prod' },
      backupLocation: 'backups/production',
      emailDomain: 'acme.example.com',
    };
    const inventory = parseInventory(
      stringify({ version: 1, tenants: { acme: { schema: 'sample-itsm', instances: { production } } } }),
      path.join(dir, 'stagecoach.yaml'),
    );
    databases = new InventoryTenantDatabases(inventory, { env: { ACME_PW: 'pw-never-shown' } });
  });
  afterAll(async () => {
    await databases?.destroyAll();
    await controlDb?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('backup with bad credentials: DatabaseAuthFailed, non-retryable, naming the database', async () => {
    const activities = createActivities({ controlDb, tenantDatabases: databases });
    const failure = await activities
      .backupDatabase({ instance: { tenant: 'acme', landscape: 'production' }, workflowId: 'wf-auth' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'DatabaseAuthFailed', nonRetryable: true });
    expect((failure as Error).message).toContain('acme_prod');
    expect((failure as Error).message).not.toContain('pw-never-shown');
  });

  it('an instance the inventory does not have: InventoryInvalid, non-retryable', async () => {
    const activities = createActivities({ controlDb, tenantDatabases: databases });
    const failure = await activities
      .findLatestBackup({ instance: { tenant: 'acme', landscape: 'uat' } })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ type: 'InventoryInvalid', nonRetryable: true });
    expect((failure as Error).message).toContain("tenant 'acme' has no uat instance");
  });

  it('a worker without an inventory says how to configure one', async () => {
    const activities = createActivities({ controlDb });
    const failure = await activities
      .findLatestBackup({ instance: { tenant: 'acme', landscape: 'uat' } })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ type: 'InventoryNotConfigured', nonRetryable: true });
    expect((failure as Error).message).toContain('STAGECOACH_INVENTORY');
  });
});
