import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorker, type TemporalTestContext } from '../../support/temporal';
import { createTenantFixture, type TenantFixture, type TestEngine } from '../../support/database/tenant-fixture';
import { failureOf, runCopyDatabase } from '../../support/database/workflow-helpers';
import { SAMPLE_TENANT_TABLES } from '../../../domain/tenant-schema';

const TABLES = Object.keys(SAMPLE_TENANT_TABLES);

describe.each<TestEngine>(['sqlite', 'postgres'])('a damaged backup on %s', (engine) => {
  let fixture: TenantFixture;
  let ctx: TemporalTestContext;

  beforeAll(async () => {
    fixture = await createTenantFixture(engine, { incidents: 2000 });
    ctx = await startTestWorker({ controlDb: fixture.controlDb, tenantDatabases: fixture.tenantDatabases });
  });
  afterAll(async () => {
    await ctx?.stop();
    await fixture?.cleanup();
  });

  it('one flipped byte in the copied file: restore fails non-retryably naming the file, the target is untouched', async () => {
    const uat = { tenant: 'acme', landscape: 'uat' as const };
    const copy = (backupType: 'live' | 'copied', fileName?: string) =>
      runCopyDatabase(ctx.client.temporal, ctx.taskQueue, {
        tenant: 'acme',
        source: 'production',
        target: 'staging',
        backupType,
        fileName,
        fixups: false,
        shrink: false,
      });
    const first = await copy('live');
    const copied = first.copy!.path;

    // UAT's data before: a copy to staging must never change it, the failed restore must not change staging.
    const stagingRef = { tenant: 'acme', landscape: 'staging' as const };
    const engineImpl = fixture.tenantDatabases.engineFor(stagingRef);
    await fixture.open('staging')('incidents').where('id', 1).update({ subject: 'edited on staging' });
    const stagingBefore = await engineImpl.fingerprints(fixture.tenantDatabases.connectionFor(stagingRef), TABLES);

    const bytes = fs.readFileSync(copied);
    const at = Math.floor(bytes.length / 2);
    bytes[at] ^= 0x01;
    fs.writeFileSync(copied, bytes);

    const failure = await failureOf(copy('copied', path.basename(copied)));
    expect(failure).toMatchObject({
      type: 'BackupChecksumMismatch',
      nonRetryable: true,
      activityType: 'restoreBackup',
    });
    expect(failure.message).toContain(copied);
    expect(await engineImpl.fingerprints(fixture.tenantDatabases.connectionFor(stagingRef), TABLES)).toEqual(
      stagingBefore,
    );
    expect(await engineImpl.databaseExists(fixture.tenantDatabases.connectionFor(uat))).toBe(true);
  });
});
