import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../../activities';
import { BackupCatalog } from '../../../store/backup-catalog';
import type { Landscape } from '../../../domain/landscapes';
import { startTestWorker, type TemporalTestContext } from '../../support/temporal';
import { createTenantFixture, type TenantFixture, type TestEngine } from '../../support/database/tenant-fixture';
import { failureOf, runCopyDatabase } from '../../support/database/workflow-helpers';
import { SAMPLE_TENANT_TABLES } from '../../../domain/tenant-schema';
import type { CopyDatabaseResult } from '../../../contracts/database';

const TABLES = Object.keys(SAMPLE_TENANT_TABLES);

/** What a test chooses; every copy is of acme's production, unshrunk, and without fix-ups unless asked. */
interface CopyRequest {
  target: Landscape;
  backupType: 'live' | 'last' | 'copied' | 'alreadyRestored';
  fileName?: string;
  fixups?: boolean;
}

function copyFromProduction(ctx: TemporalTestContext, input: CopyRequest) {
  return runCopyDatabase(ctx.client.temporal, ctx.taskQueue, {
    tenant: 'acme',
    source: 'production',
    shrink: false,
    fixups: false,
    ...input,
  });
}

function fingerprintsOf(fixture: TenantFixture, landscape: Landscape) {
  const ref = { tenant: 'acme', landscape };
  return fixture.tenantDatabases.engineFor(ref).fingerprints(fixture.tenantDatabases.connectionFor(ref), TABLES);
}

/** The backup's copy lies in staging's backup location, cataloged as a copy with production's fingerprints. */
async function expectCopiedToStaging(
  fixture: TenantFixture,
  catalog: BackupCatalog,
  result: CopyDatabaseResult,
  before: Awaited<ReturnType<typeof fingerprintsOf>>,
) {
  expect(result.copy!.path).toBe(path.join(fixture.dir, 'backups', 'staging', path.basename(result.backup.path)));
  const copyEntry = await catalog.get(result.copy!.backupId);
  expect(copyEntry).toMatchObject({
    copiedFromId: result.backup.backupId,
    sha256: result.backup.sha256,
    tenant: 'acme',
    landscape: 'production',
  });
  expect(copyEntry!.fingerprints).toEqual(before);
}

/** Copies production's newest cataloged backup into UAT's backup location by hand; returns its path. */
async function copyNewestBackupByHand(fixture: TenantFixture, catalog: BackupCatalog): Promise<string> {
  const [latest] = await catalog.listFor('acme', 'production');
  const handCopy = path.join(fixture.dir, 'backups', 'uat', `hand-copied.${path.extname(latest.path).slice(1)}`);
  fs.mkdirSync(path.dirname(handCopy), { recursive: true });
  fs.copyFileSync(latest.path, handCopy);
  return handCopy;
}

/** Staging after the fix-ups: only its own email domain enabled, a new API key, no debug log rows. */
async function expectStagingFixedUp(fixture: TenantFixture, engine: TestEngine, sourceKey: string) {
  const staging = fixture.open('staging');
  const emails = await staging('email_configurations').select('domain', 'enabled');
  expect(emails.filter((e) => Boolean(e.enabled)).map((e) => e.domain)).toEqual(['acme-staging.example.com']);
  expect(emails.filter((e) => e.domain === 'acme.example.com').every((e) => !e.enabled)).toBe(true);
  const keys = await staging('api_keys').select('key_hash');
  expect(keys).toHaveLength(1);
  expect(keys[0].key_hash).not.toBe(sourceKey);
  expect(await staging('app_log').where({ level: 'debug' }).count({ n: '*' })).toEqual([
    { n: engine === 'postgres' ? '0' : 0 },
  ]);
}

// The tests share one fixture and run in order: later ones use the backups and restores of earlier ones.
describe.each<TestEngine>(['sqlite', 'postgres'])('copyDatabase on %s', (engine) => {
  let fixture: TenantFixture;
  let ctx: TemporalTestContext;
  let catalog: BackupCatalog;

  beforeAll(async () => {
    fixture = await createTenantFixture(engine, { incidents: 3000 });
    ctx = await startTestWorker({ controlDb: fixture.controlDb, tenantDatabases: fixture.tenantDatabases });
    catalog = new BackupCatalog(fixture.controlDb);
  });
  afterAll(async () => {
    await ctx?.stop();
    await fixture?.cleanup();
  });

  const fingerprints = (landscape: Landscape) => fingerprintsOf(fixture, landscape);
  const copy = (input: CopyRequest) => copyFromProduction(ctx, input);

  it('live: backs up production now, copies, restores into staging with equal fingerprints', async () => {
    const before = await fingerprints('production');
    const result = await copy({ target: 'staging', backupType: 'live' });
    expect(await fingerprints('staging')).toEqual(before);
    expect(result.verified.rows).toBe(before.reduce((sum, f) => sum + f.rows, 0));
    await expectCopiedToStaging(fixture, catalog, result, before);
  });

  it('last: restores the newest cataloged backup of production into UAT', async () => {
    const activities = createActivities({ controlDb: fixture.controlDb, tenantDatabases: fixture.tenantDatabases });
    const newest = await activities.backupDatabase({
      instance: { tenant: 'acme', landscape: 'production' },
      workflowId: `seed-last-${engine}`,
    });
    const result = await copy({ target: 'uat', backupType: 'last' });
    expect(result.backup.backupId).toBe(newest.backupId);
    expect(await fingerprints('uat')).toEqual(await fingerprints('production'));
  });

  it('copied: a backup file someone put in the target location is found by its content and restored', async () => {
    const handCopy = await copyNewestBackupByHand(fixture, catalog);
    const result = await copy({ target: 'uat', backupType: 'copied', fileName: path.basename(handCopy) });
    expect(result.backup.path).toBe(handCopy);
    expect(result.copy!.transfer.sourceBytesRead).toBe(0);
    expect(await fingerprints('uat')).toEqual(await fingerprints('production'));
  });

  it('alreadyRestored: verifies a database restored by hand, and names the table that differs', async () => {
    const verified = await copy({ target: 'uat', backupType: 'alreadyRestored' });
    expect(verified.restored).toBe(false);
    expect(verified.verified.tables).toBe(TABLES.length);

    const uat = fixture.open('uat');
    await uat('change_requests').where('id', 1).update({ title: 'edited after restore' });
    const failure = await failureOf(copy({ target: 'uat', backupType: 'alreadyRestored' }));
    expect(failure).toMatchObject({ type: 'RestoredDatabaseMismatch', nonRetryable: true });
    expect(failure.message).toContain('table change_requests');
  });

  it('applies the post-restore fix-ups: email domains, a fresh API key, clean-up scripts', async () => {
    const production = fixture.open('production');
    const sourceKey = (await production('api_keys').first()).key_hash;
    const result = await copy({ target: 'staging', backupType: 'live', fixups: true });
    expect(result.fixups).toMatchObject({
      targetEmailDomain: 'acme-staging.example.com',
      apiKeysReplaced: 1,
      cleanupScriptsRun: ['drop debug log', 'purge debug log'],
    });
    await expectStagingFixedUp(fixture, engine, sourceKey);
    // Production itself is never touched by a copy.
    expect((await production('email_configurations').where({ enabled: true })).length).toBe(2);
  });

  it('refuses a copied file that is not a plain name, and a missing one, naming it', async () => {
    const traversal = await failureOf(copy({ target: 'uat', backupType: 'copied', fileName: '../production/x.db' }));
    expect(traversal).toMatchObject({ type: 'InvalidBackupFileName', nonRetryable: true });
    const missing = await failureOf(copy({ target: 'uat', backupType: 'copied', fileName: 'nowhere.db' }));
    expect(missing).toMatchObject({ type: 'BackupFileMissing', nonRetryable: true });
    expect(missing.message).toContain(path.join(fixture.dir, 'backups', 'uat', 'nowhere.db'));
  });
});
