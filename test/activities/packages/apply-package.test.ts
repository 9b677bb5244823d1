import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../../activities/packages/plan-executor';
import type { PlanStep } from '../../../domain/packages/apply-plan';
import type { Change } from '../../../domain/packages/package-types';
import { AuditStore } from '../../../store/audit-store';
import { PatchLogStore } from '../../../store/patch-log-store';
import { fingerprint } from '../../support/packages/fingerprint';
import { change, form, guid, incremental } from '../../support/packages/package-builders';
import { metadataItem, production, uat, usePackageHarness } from '../../support/packages/package-test-setup';
import { ENGINES, INCIDENT_BO_GUID } from '../../support/packages/tenant-fixtures';

/** A realistic package: a new business object with its table, a stored field, a form, a list. */
function assetPackage(version = '1.0.0', extra: Change[] = []) {
  return incremental(
    'acme-assets',
    version,
    [
      change(1, {
        operation: 'C',
        objectType: 'BusinessObject',
        entityName: 'Asset',
        schemaChange: true,
        data: { table: 'assets', label: 'Asset' },
      }),
      change(2, {
        operation: 'C',
        objectType: 'Field',
        businessObject: 'Asset',
        entityName: 'serial_number',
        schemaChange: true,
        data: { dataType: 'string', length: 64, stored: true },
      }),
      change(3, {
        operation: 'C',
        objectType: 'Field',
        businessObject: 'Incident',
        entityName: 'asset_tag',
        schemaChange: true,
        data: { dataType: 'string', length: 32, stored: true },
      }),
      form(4, 'Asset Form'),
      change(5, {
        operation: 'C',
        objectType: 'ValidationList',
        entityName: 'Asset Kind',
        data: { values: ['Laptop', 'Phone'] },
      }),
      change(6, {
        operation: 'U',
        objectType: 'BusinessObject',
        entityName: 'Incident',
        guid: INCIDENT_BO_GUID,
        data: { label: 'Incident (with assets)' },
      }),
      ...extra,
    ],
    { aspects: [{ vendorId: 'acme', id: 'assets', version: 1, vendorName: 'Acme' }] },
  );
}

describe.each(ENGINES)('applyPackage on %s: applying', (engine) => {
  const open = usePackageHarness(engine);

  it('applies every change in one go and logs the package', async () => {
    const { harness, knex } = await open();
    const report = await harness.apply({
      target: uat,
      package: harness.file(assetPackage()),
      mode: 'validateThenApply',
    });
    expect(report).toMatchObject({
      outcome: 'applied',
      packageId: 'acme-assets',
      version: '1.0.0',
      impact: 'high',
      errorCount: 0,
    });
    expect(report.impactReasons).toContain('sequence 1: Contains a database schema change');
    await knex('assets').insert({ serial_number: 'SN-1' });
    await knex('incidents').update({ asset_tag: 'A-7' });
    const form = await metadataItem(knex, guid(4));
    expect(form).toMatchObject({
      object_type: 'Form',
      name: 'Asset Form',
      installed_by_package: 'acme-assets',
      updated_at: '2026-02-01T00:00:00.000Z',
    });
    const incident = await metadataItem(knex, INCIDENT_BO_GUID);
    expect(JSON.parse(incident.definition)).toEqual({ table: 'incidents', label: 'Incident (with assets)' });
    expect(
      (
        await knex('validation_list_values')
          .where({ list_guid: guid(5) })
          .orderBy('ordinal')
      ).map((r) => r.value),
    ).toEqual(['Laptop', 'Phone']);
    expect(await knex('package_aspects').select('vendor_id', 'aspect_id', 'version')).toEqual([
      { vendor_id: 'acme', aspect_id: 'assets', version: 1 },
    ]);
    const log = await new PatchLogStore(harness.controlDb).listForInstance('acme/uat');
    expect(log).toMatchObject([
      {
        packageId: 'acme-assets',
        packageVersion: '1.0.0',
        checksum: report.checksum,
        mode: 'validateThenApply',
        workflowId: harness.workflowId,
      },
    ]);
  });

  it('applies again after the target was restored to a state without the package', async () => {
    const { harness, knex } = await open();
    const pkg = incremental('acme-forms', '1', [form(1, 'Restored Form')]);
    const before = await fingerprint(knex);
    await harness.apply({ target: uat, package: harness.file(pkg), mode: 'validateThenApply' });
    // What a restore of the pre-push backup does to the tenant database (the patch log stays).
    await knex('metadata_items')
      .where({ guid: guid(1) })
      .delete();
    await knex('applied_packages').delete();
    expect(await fingerprint(knex)).toEqual(before);
    const again = await harness.apply({ target: uat, package: harness.file(pkg), mode: 'validateThenApply' });
    expect(again.outcome).toBe('applied');
    expect(await metadataItem(knex, guid(1))).toMatchObject({ name: 'Restored Form' });
    expect(await new PatchLogStore(harness.controlDb).listForInstance('acme/uat')).toHaveLength(1);
  });
});

describe.each(ENGINES)('applyPackage on %s: a failure rolls back everything', (engine) => {
  const open = usePackageHarness(engine);

  it('a package that fails at change N leaves the target exactly as before', async () => {
    const { harness, knex } = await open();
    await knex('incidents').insert({ subject: 'Duplicate status', status: 'open', priority: 3, created_at: 'x' });
    const before = await fingerprint(knex);
    // Validation cannot see data: a unique index over duplicate statuses fails in the database,
    // after a table, two columns, metadata rows and a list were already written in the transaction.
    const failing = change(7, {
      operation: 'C',
      objectType: 'Index',
      businessObject: 'Incident',
      entityName: 'ix_incident_status',
      schemaChange: true,
      data: { columns: ['status'], unique: true },
    });
    const failure = await harness.applyFailure({
      target: uat,
      package: harness.file(assetPackage('1.0.0', [failing, form(8, 'Never Form')])),
      mode: 'validateThenApply',
    });
    expect(failure).toMatchObject({ type: 'PackageApplyFailed', nonRetryable: true });
    expect(failure.message).toContain('acme-assets sequence 7 (createIndex on table incidents) failed');
    expect(failure.message).toContain('rolled back, nothing applied');
    expect(await fingerprint(knex)).toEqual(before);
    expect(await new PatchLogStore(harness.controlDb).listForInstance('acme/uat')).toEqual([]);
  });

  it('a row failing inside a set-based segment is named by its sequence number, and nothing stays', async () => {
    const { knex } = await open();
    const before = await fingerprint(knex);
    // What validation saw is stale: someone created "Form 23" on the target since the snapshot.
    const steps: PlanStep[] = Array.from({ length: 40 }, (_, i) => ({
      kind: 'insertItem' as const,
      at: { packageId: 'acme-forms', sequence: i + 1 },
      item: {
        guid: guid(i + 1),
        objectType: 'Form',
        businessObject: 'Incident',
        name: i === 22 ? 'Local Triage Form' : `Form ${i + 1}`,
        definition: {},
        installedBy: 'acme-forms',
      },
    }));
    const run = applyPlan(knex, steps, { now: 'now' });
    await expect(run).rejects.toThrow(`acme-forms sequence 23 (Form "Local Triage Form", GUID ${guid(23)}) failed`);
    expect(await fingerprint(knex)).toEqual(before);
  });
});

describe.each(ENGINES)('applyPackage on %s: re-applying and version conflicts', (engine) => {
  const open = usePackageHarness(engine);

  it('re-applying the same package is a no-op, even when the patch log entry was lost', async () => {
    const { harness, knex } = await open();
    const ref = harness.file(assetPackage());
    await harness.apply({ target: uat, package: ref, mode: 'validateThenApply' });
    const after = await fingerprint(knex);
    const again = await harness.apply({
      target: uat,
      package: harness.file(JSON.stringify(assetPackage())),
      mode: 'validateThenApply',
    });
    expect(again.outcome).toBe('already-applied');
    expect((await harness.apply({ target: uat, package: ref, mode: 'validate' })).outcome).toBe('already-applied');
    expect(await fingerprint(knex)).toEqual(after);
    await harness.controlDb('patch_log').delete(); // as if the worker died between commit and log
    const recovered = await harness.apply({ target: uat, package: ref, mode: 'validateThenApply' });
    expect(recovered.outcome).toBe('already-applied');
    expect(await fingerprint(knex)).toEqual(after);
    expect(await new PatchLogStore(harness.controlDb).listForInstance('acme/uat')).toHaveLength(1);
  });

  it('refuses a different package under an id and version already applied', async () => {
    const { harness, knex } = await open();
    await harness.apply({ target: uat, package: harness.file(assetPackage()), mode: 'validateThenApply' });
    const after = await fingerprint(knex);
    const changed = assetPackage('1.0.0', [form(7, 'Sneaky Form')]);
    const failure = await harness.applyFailure({
      target: uat,
      package: harness.file(changed),
      mode: 'validateThenApply',
    });
    expect(failure).toMatchObject({ type: 'PackageVersionConflict', nonRetryable: true });
    expect(failure.message).toMatch(
      /acme\/uat already has package acme-assets@1\.0\.0 with checksum [0-9a-f]{64}; this package has checksum [0-9a-f]{64}/,
    );
    await expect(
      harness.apply({ target: uat, package: harness.file(changed), mode: 'validate' }),
    ).rejects.toMatchObject({ type: 'PackageVersionConflict' });
    expect(await fingerprint(knex)).toEqual(after);
  });

  it('refuses on every instance a changed package under a version one instance already has', async () => {
    const { harness } = await open([uat, production]);
    await harness.apply({ target: uat, package: harness.file(assetPackage()), mode: 'validateThenApply' });
    const before = await fingerprint(harness.knex(production));
    const failure = await harness.applyFailure({
      target: production,
      package: harness.file(assetPackage('1.0.0', [form(7, 'Sneaky Form')])),
      mode: 'validateThenApply',
    });
    expect(failure).toMatchObject({ type: 'PackageVersionConflict', nonRetryable: true });
    expect(failure.message).toContain('acme/uat already has package acme-assets@1.0.0 with checksum');
    expect(await fingerprint(harness.knex(production))).toEqual(before);
  });
});

describe.each(ENGINES)('applyPackage on %s: applying without validation', (engine) => {
  const open = usePackageHarness(engine);

  it('applyWithoutValidation needs a reason; with one it applies despite errors and is audited', async () => {
    const { harness, knex } = await open();
    const before = await fingerprint(knex);
    const broken = incremental('acme-hotfix', '1', [
      form(1, 'Hotfix Form'),
      change(2, {
        operation: 'U',
        objectType: 'Form',
        businessObject: 'Incident',
        entityName: 'Gone Form',
        data: { layout: 'x' },
      }),
    ]);
    const ref = harness.file(broken);
    const noReason = await harness.applyFailure({
      target: uat,
      package: ref,
      mode: 'applyWithoutValidation',
      force: { actor: 'rita', reason: '  ' },
    });
    expect(noReason).toMatchObject({ type: 'ForceReasonRequired', nonRetryable: true });
    expect(noReason.message).toContain('applyWithoutValidation needs force: { actor, reason } with a non-empty reason');
    expect(await fingerprint(knex)).toEqual(before);
    await expect(harness.apply({ target: uat, package: ref, mode: 'validateThenApply' })).rejects.toMatchObject({
      type: 'PackageValidationFailed',
    });

    const report = await harness.apply({
      target: uat,
      package: ref,
      mode: 'applyWithoutValidation',
      force: { actor: 'rita', reason: 'INC-42: hotfix tonight' },
    });
    expect(report).toMatchObject({ outcome: 'applied', errorCount: 1 });
    expect(report.errors[0]).toContain(
      'acme-hotfix #2: cannot update Form "Gone Form": the target has no item with GUID',
    );
    expect(await metadataItem(knex, guid(1))).toBeTruthy();
    const audit = await new AuditStore(harness.controlDb).listForWorkflow(harness.workflowId);
    expect(audit).toMatchObject([
      {
        kind: 'package-apply-forced',
        actor: 'rita',
        subject: 'acme-hotfix@1 on acme/uat',
        detail: { reason: 'INC-42: hotfix tonight', errorCount: 1 },
      },
    ]);
  });
});
