import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { BundleCommandError, DeploymentError } from '../../client';
import { BackupCatalog } from '../../store/backup-catalog';
import { DeploymentStore } from '../../store/deployment-store';
import { PatchLogStore } from '../../store/patch-log-store';
import { publishPackage } from '../support/deployments/tenant-fleet';
import { fingerprint } from '../support/packages/fingerprint';
import { form, guid, incremental } from '../support/packages/package-builders';
import { useReleaseFixture } from '../support/release/release-fixture';
import { metadataNames, uniqueSubjectIndex } from '../support/release/release-helpers';
import { rejectionOf } from '../support/poll';

// docs/mass-deployment-and-promotions.md "Locked targets": production's metadata stays locked after a release, so a
// deployment or a promotion to it takes the backup the read-only rule asks for itself, and a high-impact one is
// refused before anything is written.
const suite = useReleaseFixture('sqlite', [{ label: 'north' }, { label: 'south' }, { label: 'open' }]);

async function lockMetadata(knex: Knex): Promise<void> {
  await knex('tenant_settings').where({ key: 'metadata_locked' }).update({ value: 'true' });
}

const failureOf = (run: Promise<unknown>) => rejectionOf(run, Error);

describe('mass deployment to locked instances', () => {
  it('backs up each locked tenant first, catalogs the backup with the deployment, and applies; an open one gets none', async () => {
    const { fixture, ctx } = suite;
    const [north, south, open] = ['north', 'south', 'open'].map((label) => fixture.tenant(label));
    for (const tenant of [north, south]) await lockMetadata(fixture.open(tenant, 'production'));
    const packageSha256 = await publishPackage(
      fixture.controlDb,
      incremental('locked-low', '1.0.0', [{ ...form(1, 'Locked Low Form'), guid: guid(0x6001) }]),
    );

    const deploymentId = await ctx.client.deployments.start({
      packageSha256,
      tenants: [north, south, open],
      submitter: 'rita',
    });
    const result = await ctx.client.deployments.result(deploymentId);
    expect(result.counts).toMatchObject({ succeeded: 3, failed: 0, skipped: 0 });

    const rows = await new DeploymentStore(fixture.controlDb).tenants(deploymentId);
    const catalog = new BackupCatalog(fixture.controlDb);
    for (const tenant of [north, south]) {
      const row = rows.find((r) => r.tenant === tenant)!;
      expect(row).toMatchObject({ status: 'succeeded', backupId: expect.any(Number) });
      expect(await catalog.get(row.backupId!)).toMatchObject({
        tenant,
        landscape: 'production',
        workflowId: deploymentId,
      });
      // One backup per tenant, though the activity may have been retried.
      expect((await catalog.listFor(tenant, 'production')).filter((b) => b.workflowId === deploymentId)).toHaveLength(
        1,
      );
      expect(await metadataNames(fixture.open(tenant, 'production'))).toContain('Locked Low Form');
    }
    expect(rows.find((r) => r.tenant === open)).not.toHaveProperty('backupId');
    expect(await catalog.listFor(open, 'production')).toEqual([]);
  });

  it('refuses a high-impact package at start, naming the locked tenants, before anything runs', async () => {
    const { fixture, ctx } = suite;
    const [north, south, open] = ['north', 'south', 'open'].map((label) => fixture.tenant(label));
    const before = await fingerprint(fixture.open(open, 'production'));
    const packageSha256 = await publishPackage(
      fixture.controlDb,
      incremental('locked-high', '1.0.0', [{ ...uniqueSubjectIndex, guid: guid(0x6002) }]),
    );
    const deploymentId = await ctx.client.deployments.start({
      packageSha256,
      tenants: [open, north, south],
      submitter: 'rita',
    });
    const refused = await failureOf(ctx.client.deployments.result(deploymentId));
    expect(refused).toBeInstanceOf(DeploymentError);
    expect((refused as DeploymentError).type).toBe('MetadataLocked');
    expect(refused.message).toContain('package locked-high@1.0.0 is high impact');
    expect(refused.message).toContain(`2 tenant(s) is locked`);
    expect(refused.message).toContain(`${north}, ${south}`);
    expect(refused.message).not.toContain(open);
    // Nothing ran: no deployment record, no patch log entry, the open tenant untouched too.
    expect(await new DeploymentStore(fixture.controlDb).get(deploymentId)).toBeUndefined();
    const patchLog = new PatchLogStore(fixture.controlDb);
    expect((await patchLog.listForInstance(`${open}/production`)).map((e) => e.packageId)).not.toContain('locked-high');
    expect(await fingerprint(fixture.open(open, 'production'))).toEqual(before);
  });
});

describe('promotion to a locked target', () => {
  async function itemsTarget(tenant: string): Promise<string> {
    const name = `locked-${tenant}`;
    await suite.ctx.client.promotions.bundleCommand({
      action: 'define-target',
      user: 'pat',
      target: {
        name,
        instance: { tenant, landscape: 'production' },
        targetUser: 'svc-accept',
        credentialRef: 'vault:promote',
      },
    });
    return name;
  }

  it('backs the target up first and keeps the backup with the outcome; a high-impact promotion is refused, nothing written', async () => {
    const { fixture, ctx } = suite;
    const tenant = fixture.tenant('south');
    const production = fixture.open(tenant, 'production');
    const staging = fixture.open(tenant, 'staging');
    await lockMetadata(production);
    await staging('metadata_items').insert([
      {
        guid: guid(0x6101),
        object_type: 'Form',
        business_object: 'Incident',
        name: 'Promoted Form',
        definition: JSON.stringify({ layout: 'v1' }),
        installed_by_package: null,
        updated_at: '2026-01-05T00:00:00.000Z',
      },
      {
        guid: guid(0x6102),
        object_type: 'Index',
        business_object: 'Incident',
        name: 'ix_promoted',
        definition: JSON.stringify({ columns: ['subject'] }),
        installed_by_package: null,
        updated_at: '2026-01-05T00:00:00.000Z',
      },
    ]);
    const targetName = await itemsTarget(tenant);
    const source = { tenant, landscape: 'staging' as const };

    const { promotionId, result } = await ctx.client.promotions.promote({
      requestedBy: 'pat',
      targetName,
      items: { source, selectors: [{ guid: guid(0x6101) }] },
    });
    expect(result).toMatchObject({ created: 1, backupId: expect.any(Number) });
    expect(await new BackupCatalog(fixture.controlDb).get(result!.backupId!)).toMatchObject({
      tenant,
      landscape: 'production',
      workflowId: promotionId,
    });
    expect(await metadataNames(production)).toContain('Promoted Form');

    const before = await fingerprint(production);
    const refused = await failureOf(
      ctx.client.promotions.promote({
        requestedBy: 'pat',
        targetName,
        items: { source, selectors: [{ guid: guid(0x6102) }] },
      }),
    );
    expect(refused).toBeInstanceOf(BundleCommandError);
    expect(refused.message).toMatch(
      /refused, nothing written: the target has its metadata locked and the promotion is high impact \(Index\/Incident\/ix_promoted: Changes the index\)/,
    );
    expect(await fingerprint(production)).toEqual(before);
  });
});
