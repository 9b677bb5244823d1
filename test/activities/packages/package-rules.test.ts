import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PackagePreview } from '../../../domain/packages/preview';
import type { PackageHarness } from '../../support/packages/activity-harness';
import { fingerprint } from '../../support/packages/fingerprint';
import { change, form, guid, incremental, master } from '../../support/packages/package-builders';
import { metadataItem, production, uat, usePackageHarness } from '../../support/packages/package-test-setup';
import { ENGINES, INCIDENT_BO_GUID, TARGET_CREATED_GUID, setSetting } from '../../support/packages/tenant-fixtures';

const formNames = async (harness: PackageHarness, instance = uat) =>
  (await harness.knex(instance)('metadata_items').where({ object_type: 'Form' }).orderBy('name')).map(
    (r: { name: string }) => r.name,
  );

/**
 * A master package whose sub-packages are listed out of order, with a sub-tree only for UAT and
 * staging and one only for the enterprise edition.
 */
function orderedReleasePackage() {
  return master('acme-release', '5', [
    {
      relativeOrder: 20,
      package: incremental('step-two', '1', [
        change(1, {
          operation: 'U',
          objectType: 'Form',
          businessObject: 'Incident',
          entityName: 'Ordered Form',
          guid: guid(900),
          data: { step: 2 },
        }),
      ]),
    },
    {
      relativeOrder: 10,
      package: incremental(
        'step-one',
        '1',
        [form(1, 'Ordered Form', { step: 1 })].map((c) => ({ ...c, guid: guid(900) })),
      ),
    },
    {
      relativeOrder: 30,
      predicate: { landscape: ['uat', 'staging'] },
      package: master('uat-extras', '1', [
        { relativeOrder: 1, package: incremental('uat-forms', '1', [form(1, 'UAT Only Form')]) },
      ]),
    },
    {
      relativeOrder: 40,
      predicate: { setting: { key: 'edition', equals: 'enterprise' } },
      package: incremental('enterprise', '1', [form(7, 'Enterprise Form')], {
        aspects: [{ vendorId: 'acme', id: 'enterprise', version: 2 }],
      }),
    },
  ]);
}

describe.each(ENGINES)('package rules on %s: conflicts and overwrite', (engine) => {
  const open = usePackageHarness(engine);

  it('conflicts: a target item with the same name and another GUID stops the package before anything is applied', async () => {
    const { harness, knex } = await open();
    const before = await fingerprint(knex);
    const pkg = incremental('acme-forms', '1', [
      form(1, 'New Form'),
      form(2, 'local triage form'),
      form(3, 'Other Form'),
    ]);
    const preview = harness.previewPath();
    const report = await harness.apply({
      target: uat,
      package: harness.file(pkg),
      mode: 'validate',
      previewFile: preview,
    });
    expect(report).toMatchObject({ outcome: 'invalid', errorCount: 1 });
    const written = JSON.parse(fs.readFileSync(preview, 'utf8')) as PackagePreview;
    expect(written.errors['acme-forms']['2'][0]).toBe(
      `conflict: the target already has Form "Local Triage Form" on Incident (GUID ${TARGET_CREATED_GUID}), created on the target; the package's item has GUID ${guid(2)}. Rename one of them`,
    );
    expect(written.proposedChanges.map((c) => [c.sequence, c.actions])).toEqual([
      [1, ['insertItem']],
      [2, []],
      [3, ['insertItem']],
    ]);
    const failure = await harness.applyFailure({ target: uat, package: harness.file(pkg), mode: 'validateThenApply' });
    expect(failure).toMatchObject({ type: 'PackageValidationFailed', nonRetryable: true });
    expect(failure.message).toContain('acme-forms #2: conflict: the target already has Form "Local Triage Form"');
    expect(await fingerprint(knex)).toEqual(before);
  });

  it('overwrite: deletes what earlier versions of this package installed and this one lacks, never target-created items', async () => {
    const { harness, knex } = await open();
    await harness.apply({
      target: uat,
      package: harness.file(incremental('acme-forms', '1', [form(1, 'Keep Form'), form(2, 'Retired Form')])),
      mode: 'validateThenApply',
    });
    await harness.apply({
      target: uat,
      package: harness.file(incremental('other-pack', '1', [form(10, 'Neighbour Form')])),
      mode: 'validateThenApply',
    });
    const v2 = incremental(
      'acme-forms',
      '2',
      [
        change(1, {
          operation: 'U',
          objectType: 'Form',
          businessObject: 'Incident',
          entityName: 'Keep Form',
          data: { layout: 'v2' },
        }),
      ],
      { overwrite: true },
    );
    const report = await harness.apply({ target: uat, package: harness.file(v2), mode: 'validateThenApply' });
    expect(report.warnings).toContain(
      `acme-forms: overwrite: deletes Form "Retired Form" on Incident (GUID ${guid(2)}), installed by an earlier version of acme-forms and no longer in it`,
    );
    expect(await formNames(harness)).toEqual(['Keep Form', 'Local Triage Form', 'Neighbour Form']);
    expect(JSON.parse((await metadataItem(knex, guid(1))).definition)).toEqual({ layout: 'v2' });
    const withoutOverwrite = incremental('acme-forms', '3', [form(5, 'Third Form')]);
    await harness.apply({ target: uat, package: harness.file(withoutOverwrite), mode: 'validateThenApply' });
    expect(await formNames(harness)).toEqual(['Keep Form', 'Local Triage Form', 'Neighbour Form', 'Third Form']);
  });
});

describe.each(ENGINES)('package rules on %s: read-only rule on a metadata-locked target', (engine) => {
  const open = usePackageHarness(engine);

  const high = incremental('acme-high', '1', [
    change(1, {
      operation: 'U',
      objectType: 'Field',
      businessObject: 'Incident',
      entityName: 'Status',
      data: { nullable: false },
    }),
  ]);
  const medium = incremental('acme-medium', '1', [
    change(1, {
      operation: 'U',
      objectType: 'BusinessObject',
      entityName: 'Incident',
      guid: INCIDENT_BO_GUID,
      data: { label: 'Ticket' },
    }),
  ]);
  const low = incremental('acme-low', '1', [form(1, 'Locked-Time Form')]);

  it('high impact: validate only', async () => {
    const { harness, knex } = await open();
    await setSetting(knex, 'metadata_locked', 'true');
    const before = await fingerprint(knex);
    const ref = harness.file(high);
    expect((await harness.apply({ target: uat, package: ref, mode: 'validate' })).impact).toBe('high');
    for (const mode of ['validateThenApply', 'applyWithoutValidation'] as const) {
      const failure = await harness.applyFailure({
        target: uat,
        package: ref,
        mode,
        backupId: 'b-1',
        force: { actor: 'rita', reason: 'urgent' },
      });
      expect(failure).toMatchObject({ type: 'MetadataLocked', nonRetryable: true });
      expect(failure.message).toContain(
        'acme/uat has its metadata locked and package acme-high is high impact, so it can only be validated (acme-high sequence 1: Updates a nullable property',
      );
    }
    expect(await fingerprint(knex)).toEqual(before);
  });

  it.each([
    ['medium', medium],
    ['low', low],
  ] as const)('%s impact: applied after a backup', async (level, pkg) => {
    const { harness, knex } = await open();
    await setSetting(knex, 'metadata_locked', 'true');
    const before = await fingerprint(knex);
    const failure = await harness.applyFailure({
      target: uat,
      package: harness.file(pkg),
      mode: 'validateThenApply',
    });
    expect(failure).toMatchObject({ type: 'BackupRequired' });
    expect(failure.message).toBe(
      `acme/uat has its metadata locked: a ${level}-impact package is applied only after a backup (pass backupId)`,
    );
    expect(await fingerprint(knex)).toEqual(before);
    const report = await harness.apply({
      target: uat,
      package: harness.file(pkg),
      mode: 'validateThenApply',
      backupId: 'backup/acme/uat/1',
    });
    expect(report).toMatchObject({ outcome: 'applied', impact: level });
  });
});

describe.each(ENGINES)('package rules on %s: master packages and compaction', (engine) => {
  const open = usePackageHarness(engine);

  it('master packages: sub-packages in relative order, false predicates skip a sub-tree, aspects recorded', async () => {
    const { harness, knex } = await open([production]);
    const pkg = orderedReleasePackage();
    const report = await harness.apply({ target: production, package: harness.file(pkg), mode: 'validateThenApply' });
    expect(report.skippedPackages).toEqual([expect.stringMatching(/^acme-release\/uat-extras: predicate is false/)]);
    expect(JSON.parse((await metadataItem(knex, guid(900))).definition)).toEqual({ step: 2 });
    expect(await formNames(harness, production)).toEqual(['Enterprise Form', 'Local Triage Form', 'Ordered Form']);
    expect(await knex('package_aspects').select('aspect_id', 'installed_by_package')).toEqual([
      { aspect_id: 'enterprise', installed_by_package: 'enterprise' },
    ]);
  });

  it('compaction: the compacted package leaves the target exactly as the full one does', async () => {
    const { harness, knex } = await open([uat, production]);
    const qa = guid(700);
    const updates = Array.from({ length: 12 }, (_, i) =>
      change(i + 2, {
        operation: 'U',
        objectType: 'QuickAction',
        businessObject: 'Incident',
        entityName: 'Escalate',
        guid: qa,
        data: { [`step${i % 4}`]: i, label: `v${i}` },
      }),
    );
    const pkg = incremental('acme-qa', '1', [
      change(1, {
        operation: 'C',
        objectType: 'QuickAction',
        businessObject: 'Incident',
        entityName: 'Escalate',
        guid: qa,
        data: { label: 'v' },
      }),
      ...updates,
    ]);
    await harness.apply({ target: uat, package: harness.file(pkg), mode: 'validateThenApply' });
    const preview = harness.previewPath();
    await harness.apply({
      target: production,
      package: harness.file(pkg),
      mode: 'validateThenApply',
      compact: true,
      previewFile: preview,
    });
    expect(
      (JSON.parse(fs.readFileSync(preview, 'utf8')) as PackagePreview).proposedChanges.map((c) => c.sequence),
    ).toEqual([1, 2]);
    expect(await fingerprint(harness.knex(production))).toEqual(await fingerprint(knex));
  });
});
