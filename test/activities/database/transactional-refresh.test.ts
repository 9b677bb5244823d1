import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorker, type TemporalTestContext } from '../../support/temporal';
import { createTenantFixture, type TenantFixture, type TestEngine } from '../../support/database/tenant-fixture';
import { runTransactionalRefresh } from '../../support/database/workflow-helpers';

const TRANSACTIONAL = ['incidents', 'incident_notes', 'change_requests', 'app_log'];
const NOT_TRANSACTIONAL = ['tenant_settings', 'email_configurations', 'api_keys', 'metadata_items', 'employees'];
const ROWS = 1_000_000;

// No row limit (docs/database-operations.md "Transactional refresh"): older tooling fails beyond 100,000 records; a million must pass.
describe.each<TestEngine>(['sqlite', 'postgres'])('transactional refresh on %s', (engine) => {
  let fixture: TenantFixture;
  let ctx: TemporalTestContext;

  beforeAll(async () => {
    fixture = await createTenantFixture(engine, {
      incidents: ROWS,
      incidentNotes: 1000,
      changeRequests: 100,
      appLog: 100,
      descriptionLength: 20,
    });
    ctx = await startTestWorker({ controlDb: fixture.controlDb, tenantDatabases: fixture.tenantDatabases });
  }, 300_000);
  afterAll(async () => {
    await ctx?.stop();
    await fixture?.cleanup();
  });

  it('copies a 1,000,000-row table production → UAT with equal counts and checksums, and only transactional tables', async () => {
    const ref = (landscape: 'production' | 'uat') => ({ tenant: 'acme', landscape });
    const engineImpl = fixture.tenantDatabases.engineFor(ref('uat'));
    const fingerprints = (landscape: 'production' | 'uat', tables: string[]) =>
      engineImpl.fingerprints(fixture.tenantDatabases.connectionFor(ref(landscape)), tables);
    const uatSettingsBefore = await fingerprints('uat', NOT_TRANSACTIONAL);

    const result = await runTransactionalRefresh(ctx.client.temporal, ctx.taskQueue, {
      tenant: 'acme',
      source: 'production',
      target: 'uat',
    });

    expect(result.tables.find((t) => t.table === 'incidents')!.rows).toBe(ROWS);
    expect(result.tables.map((t) => t.table).sort()).toEqual([...TRANSACTIONAL].sort());
    const [source, target] = await Promise.all([
      fingerprints('production', TRANSACTIONAL),
      fingerprints('uat', TRANSACTIONAL),
    ]);
    expect(target).toEqual(source);
    expect(target.find((f) => f.table === 'incidents')!.rows).toBe(ROWS);
    expect(await fingerprints('uat', NOT_TRANSACTIONAL)).toEqual(uatSettingsBefore);

    // The application can go on inserting into the refreshed table (ids/sequences past the copy).
    const uat = fixture.open('uat');
    const [inserted] = await uat('incidents')
      .insert({ subject: 'new', status: 'Logged', priority: 1, created_at: 'now' })
      .returning('id');
    expect(Number((inserted as { id: number }).id ?? inserted)).toBe(ROWS + 1);
  }, 300_000);
});
