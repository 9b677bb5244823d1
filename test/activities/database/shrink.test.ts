import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../../activities';
import { createTenantFixture, type TenantFixture, type TestEngine } from '../../support/database/tenant-fixture';

const KEPT = ['tenant_settings', 'email_configurations', 'metadata_items', 'employees'];

// docs/database-operations.md "Shrink": after a copy, shrink the data to the cap (5 GB by default; 2 MB here) by purging old transactional rows.
describe.each<TestEngine>(['sqlite', 'postgres'])('shrinkDatabase on %s', (engine) => {
  let fixture: TenantFixture;

  beforeAll(async () => {
    fixture = await createTenantFixture(
      engine,
      { incidents: 30_000, descriptionLength: 400 },
      { shrinkCap: engine === 'sqlite' ? '4MB' : '12MB' },
    );
  }, 120_000);
  afterAll(async () => fixture?.cleanup());

  it('purges the oldest transactional rows until the database fits the cap, and nothing else', async () => {
    const activities = createActivities({ controlDb: fixture.controlDb, tenantDatabases: fixture.tenantDatabases });
    const ref = { tenant: 'acme', landscape: 'production' as const };
    const fingerprints = () =>
      fixture.tenantDatabases.engineFor(ref).fingerprints(fixture.tenantDatabases.connectionFor(ref), KEPT);
    const before = await fingerprints();

    const result = await activities.shrinkDatabase({ target: ref });

    expect(result.sizeBefore).toBeGreaterThan(result.capBytes);
    expect(result.sizeAfter).toBeLessThanOrEqual(result.capBytes);
    expect(result.rowsPurged).toBeGreaterThan(0);
    expect(await fingerprints()).toEqual(before);
    const db = fixture.open('production');
    const oldest = await db('incidents').min({ id: 'id' }).first();
    const remaining = Number((await db('incidents').count({ n: '*' }).first())!.n);
    expect(remaining).toBeGreaterThan(0);
    expect(Number(oldest!.id)).toBe(30_000 - remaining + 1);

    const again = await activities.shrinkDatabase({ target: ref });
    expect(again.rowsPurged).toBe(0);
  }, 120_000);
});
