import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseError, withDatabaseName, type Progress, type ServerConnection } from '../../../engines/engine';
import { MssqlEngine } from '../../../engines/mssql/mssql-engine';
import { joinServerPath } from '../../../engines/mssql/mssql-restore';
import { generateTenantData } from '../../../dev/sample/generate-tenant-data';
import { createSampleTenantSchema } from '../../../dev/sample/tenant-schema';
import { SAMPLE_TENANT_TABLES } from '../../../domain/tenant-schema';

/**
 * The SQL Server engine against a real server. No SQL Server runs on the development machine,
 * so this suite needs `MSSQL_URL`, e.g.
 *   MSSQL_URL='mssql://sa:Secret_123@127.0.0.1:1433?encrypt=false' npx vitest run test/database/mssql
 * The login needs dbcreator, securityadmin (for the orphaned-user case) and VIEW SERVER STATE;
 * `sa` has them. Backups go to the server's default backup directory, or `MSSQL_BACKUP_DIR`
 * (a path on the SQL Server host).
 */
const MSSQL_URL = process.env.MSSQL_URL;
const TABLES = Object.keys(SAMPLE_TENANT_TABLES);

function serverFromUrl(url: string): ServerConnection {
  const parsed = new URL(url.replace(/^sqlserver:/, 'mssql:'));
  const flag = (name: string) =>
    parsed.searchParams.has(name) ? parsed.searchParams.get(name) !== 'false' : undefined;
  return {
    engine: 'mssql',
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 1433,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: 'master',
    encrypt: flag('encrypt'),
    trustServerCertificate: flag('trustServerCertificate') ?? true,
  };
}

const newLoginPassword = () => `Aa1!${randomBytes(12).toString('hex')}`;
const createLogin = (login: string) =>
  `CREATE LOGIN [${login}] WITH PASSWORD = '${newLoginPassword()}', CHECK_POLICY = OFF`;

/** The real server for the suite: set up in `beforeAll`, everything it created removed in `afterAll`. */
interface RealServer {
  engine: MssqlEngine;
  login: string;
  server: ServerConnection;
  master: Knex;
  source: ServerConnection;
  databaseNamed(suffix: string): ServerConnection;
  knexOn(database: ServerConnection): Knex;
  backupFile(name: string): string;
}

function useRealServer(): RealServer {
  const run = randomBytes(4).toString('hex');
  const engine = new MssqlEngine({ pollIntervalMs: 200 });
  const created: string[] = [];
  const login = `stagecoach_it_${run}`;
  let backupDir: string;
  const fx = { engine, login } as RealServer;

  fx.databaseNamed = (suffix: string) => {
    const name = `stagecoach_it_${run}_${suffix}`;
    created.push(name, `${name}_scratch`);
    return withDatabaseName(fx.server, name);
  };
  fx.knexOn = (database: ServerConnection) => knexFactory(engine.knexConfig(database));

  beforeAll(async () => {
    fx.server = serverFromUrl(MSSQL_URL!);
    fx.master = fx.knexOn(fx.server);
    backupDir = process.env.MSSQL_BACKUP_DIR ?? (await defaultBackupDirectory(fx.master));
    fx.source = fx.databaseNamed('source');
    await fx.master.raw(`CREATE DATABASE [${fx.source.database}]`);
    const tenant = fx.knexOn(fx.source);
    try {
      await createSampleTenantSchema(tenant);
      await generateTenantData(tenant, { incidents: 3000, emailDomain: 'acme.example.com' });
      // A SQL user mapped to a login: after the login is re-created it is orphaned in restores.
      await fx.master.raw(createLogin(login));
      await tenant.raw(`CREATE USER [${login}] FOR LOGIN [${login}]`);
    } finally {
      await tenant.destroy();
    }
  }, 300_000);

  afterAll(async () => {
    if (!fx.master) return;
    for (const name of created) await engine.dropDatabase(withDatabaseName(fx.server, name)).catch(() => undefined);
    await fx.master.raw(`IF SUSER_ID('${login}') IS NOT NULL DROP LOGIN [${login}]`).catch(() => undefined);
    await fx.master.destroy();
  });

  fx.backupFile = (name: string) => joinServerPath(backupDir, `stagecoach_it_${run}_${name}.bak`);
  return fx;
}

/** A new database of this run restored from the full backup. */
async function restoredCopy(fx: RealServer, suffix: string): Promise<ServerConnection> {
  const target = fx.databaseNamed(suffix);
  await fx.engine.restore(target, fx.backupFile('full'), { scratchName: `${target.database}_scratch` });
  return target;
}

/** Changes one incident on `target`: its fingerprint no longer matches the source. */
async function changeIncident(fx: RealServer, target: ServerConnection): Promise<void> {
  const tenant = fx.knexOn(target);
  try {
    await tenant('incidents').where({ id: 1 }).update({ subject: 'changed on UAT' });
    const changed = await fx.engine.fingerprints(target, ['incidents']);
    expect(changed[0].checksum).not.toBe((await fx.engine.fingerprints(fx.source, ['incidents']))[0].checksum);
  } finally {
    await tenant.destroy();
  }
}

async function lastBackupFlags(fx: RealServer): Promise<unknown> {
  const [history] = await fx.master.raw(
    'SELECT TOP (1) is_copy_only, has_backup_checksums FROM msdb.dbo.backupset WHERE database_name = ? ORDER BY backup_finish_date DESC',
    [fx.source.database],
  );
  return history;
}

async function mappedLogins(fx: RealServer, target: ServerConnection): Promise<unknown> {
  return fx.master.raw(
    `SELECT sp.name FROM [${target.database}].sys.database_principals AS dp JOIN sys.server_principals AS sp ON sp.sid = dp.sid WHERE dp.name = ?`,
    [fx.login],
  );
}

describe.skipIf(!MSSQL_URL)('SQL Server engine against a real server (skipped: set MSSQL_URL to run it)', () => {
  const fx = useRealServer();
  const { engine, login, databaseNamed, backupFile } = fx;

  it('backs up with checksum and verifies the file, reporting percent progress', async () => {
    const progress: Progress[] = [];
    const result = await engine.backup(fx.source, backupFile('full'), { onProgress: (p) => progress.push(p) });
    expect(result.file).toBe(backupFile('full'));
    expect(result.bytes).toBeGreaterThan(0);
    expect(progress.some((p) => p.phase === 'BACKUP DATABASE' && p.unit === 'percent')).toBe(true);
    await engine.verifyBackup(backupFile('full'), { server: fx.server });
    expect(await lastBackupFlags(fx)).toEqual({ is_copy_only: true, has_backup_checksums: true });
  });

  it('restores into a new database whose fingerprints equal the source, leaving no scratch behind', async () => {
    const target = await restoredCopy(fx, 'staging');
    expect(await engine.databaseExists(target)).toBe(true);
    expect(await engine.databaseExists(withDatabaseName(fx.server, `${target.database}_scratch`))).toBe(false);
    const [expected, actual] = await Promise.all([
      engine.fingerprints(fx.source, TABLES),
      engine.fingerprints(target, TABLES),
    ]);
    expect(actual).toEqual(expected);
    expect(actual.find((f) => f.table === 'incidents')!.rows).toBe(3000);
  });

  it('restores over an existing, changed target and repairs the orphaned user', async () => {
    const target = await restoredCopy(fx, 'uat');
    await changeIncident(fx, target);
    // A new login of the same name has a new SID: the user restored from the backup is orphaned.
    await fx.master.raw(`DROP LOGIN [${login}]; ${createLogin(login)}`);

    const progress: Progress[] = [];
    const scratchName = `${target.database}_scratch`;
    await engine.restore(target, backupFile('full'), { scratchName, onProgress: (p) => progress.push(p) });
    expect(progress.some((p) => p.phase === 'RESTORE DATABASE')).toBe(true);
    expect(await engine.fingerprints(target, TABLES)).toEqual(await engine.fingerprints(fx.source, TABLES));
    expect(await mappedLogins(fx, target)).toEqual([{ name: login }]);
  });

  it('fails non-retryably naming the file when the backup does not exist, and leaves the target as it was', async () => {
    const target = await restoredCopy(fx, 'untouched');
    const before = await engine.fingerprints(target, TABLES);
    const missing = backupFile('does_not_exist');
    const error = await engine
      .restore(target, missing, { scratchName: `${target.database}_scratch` })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).kind).toBe('missing-file');
    expect((error as DatabaseError).message).toContain(missing);
    expect(await engine.fingerprints(target, TABLES)).toEqual(before);
    const verify = await engine.verifyBackup(missing, { server: fx.server }).catch((e: unknown) => e);
    expect((verify as DatabaseError).kind).toBe('missing-file');
  });

  it('renames, sizes, compacts and drops databases', async () => {
    const copy = await restoredCopy(fx, 'copy');
    const renamed = databaseNamed('renamed');
    await engine.renameDatabase(copy, renamed.database);
    expect(await engine.databaseExists(copy)).toBe(false);
    expect(await engine.databaseSizeBytes(renamed)).toBeGreaterThan(0);
    await engine.compact(renamed);
    await engine.dropDatabase(renamed);
    expect(await engine.databaseExists(renamed)).toBe(false);
    await engine.dropDatabase(renamed); // idempotent
  });

  it('rejects a login the server refuses as a non-retryable auth error', async () => {
    const error = await engine.databaseExists({ ...fx.source, password: 'wrong-password' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).kind).toBe('auth');
    expect((error as DatabaseError).message).not.toContain('wrong-password');
  });
});

async function defaultBackupDirectory(master: Knex): Promise<string> {
  const [row] = await master.raw(
    "SELECT CAST(COALESCE(SERVERPROPERTY('InstanceDefaultBackupPath'), SERVERPROPERTY('InstanceDefaultDataPath')) AS nvarchar(1024)) AS dir",
  );
  return (row as { dir: string }).dir;
}
