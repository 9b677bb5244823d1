import fs from 'node:fs';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExportPackageResult } from '../../../activities/packages/export-package';
import { readTableColumns } from '../../../activities/packages/target-reader';
import type { InstanceRef } from '../../../domain/landscapes';
import { loadPackage } from '../../../domain/packages/load-package';
import { PackageHarness, QUIET } from '../../support/packages/activity-harness';
import { guid } from '../../support/packages/package-builders';
import { ENGINES, INCIDENT_BO_GUID } from '../../support/packages/tenant-fixtures';

const staging: InstanceRef = { tenant: 'acme', landscape: 'staging' };
const uat: InstanceRef = { tenant: 'acme', landscape: 'uat' };

async function configureStaging(knex: Knex): Promise<void> {
  const item = (g: string, objectType: string, businessObject: string | null, name: string, definition: object) => ({
    guid: g,
    object_type: objectType,
    business_object: businessObject,
    name,
    definition: JSON.stringify(definition),
    installed_by_package: null,
    updated_at: 'x',
  });
  await knex.schema.createTable('assets', (t) => {
    t.increments('id');
    t.string('serial', 64);
  });
  await knex.schema.alterTable('incidents', (t) => t.string('asset_tag', 32));
  await knex('metadata_items').insert([
    item(guid(1), 'BusinessObject', null, 'Asset', { table: 'assets' }),
    item(guid(2), 'Field', 'Asset', 'serial', { dataType: 'string', length: 64, stored: true }),
    item(guid(3), 'Field', 'Incident', 'asset_tag', { dataType: 'string', length: 32, stored: true }),
    item(guid(4), 'Role', null, 'Asset Manager', { rights: ['read', 'write'] }),
  ]);
  await knex('metadata_items')
    .where({ guid: INCIDENT_BO_GUID })
    .update({ definition: JSON.stringify({ table: 'incidents', label: 'Ticket' }) });
  await knex('validation_list_values').where({ value: 'Low' }).update({ value: 'Lowest' });
}

async function metadataOf(knex: Knex) {
  const items = await knex('metadata_items')
    .select('guid', 'object_type', 'business_object', 'name', 'definition')
    .orderBy('guid');
  const values = await knex('validation_list_values')
    .select('list_guid', 'value', 'ordinal')
    .orderBy(['list_guid', 'ordinal']);
  const columns = await readTableColumns(knex);
  return {
    items: items.map((i: { definition: string }) => ({ ...i, definition: JSON.parse(i.definition) as unknown })),
    values,
    assets: columns.assets?.sort(),
    incidents: columns.incidents.sort(),
  };
}

describe.each(ENGINES)('exportPackage on %s', (engine) => {
  let harness: PackageHarness;
  afterEach(async () => harness?.close());

  it("builds a package from two instances' metadata that makes the target equal the source", async () => {
    harness = new PackageHarness(engine);
    await harness.open([staging, uat]);
    await configureStaging(harness.knex(staging));
    await harness
      .knex(uat)('metadata_items')
      .insert({
        guid: guid(50),
        object_type: 'Form',
        business_object: 'Incident',
        name: 'UAT Scratch Form',
        definition: '{}',
        installed_by_package: null,
        updated_at: 'x',
      });
    const env = new MockActivityEnvironment(undefined, { logger: QUIET });
    const outputFile = `${harness.previewPath()}.package.json`;
    const exported: ExportPackageResult = await env.run(harness.activities.exportPackage, {
      source: staging,
      target: uat,
      packageId: 'acme-staging-diff',
      version: '2026.02',
      outputFile,
    });
    expect(exported).toMatchObject({ packageId: 'acme-staging-diff', changes: 7, impact: 'high' });
    const document = loadPackage(fs.readFileSync(outputFile, 'utf8'), outputFile);
    const changes = document.kind === 'incremental' ? document.transactionSets[0].changes : [];
    expect(changes.map((c) => [c.sequence, c.operation, c.objectType, c.entityName, c.schemaChange ?? false])).toEqual([
      [1, 'D', 'Form', 'UAT Scratch Form', false],
      [2, 'C', 'BusinessObject', 'Asset', true],
      [3, 'U', 'BusinessObject', 'Incident', false],
      [4, 'C', 'Field', 'serial', true],
      [5, 'C', 'Field', 'asset_tag', true],
      [6, 'C', 'Role', 'Asset Manager', false],
      [7, 'U', 'ValidationList', 'Priority', false],
    ]);
    expect(changes[2].data).toEqual({ label: 'Ticket' });

    const report = await harness.apply({ target: uat, package: exported.package, mode: 'validateThenApply' });
    expect(report).toMatchObject({ outcome: 'applied', errorCount: 0 });
    expect(await metadataOf(harness.knex(uat))).toEqual(await metadataOf(harness.knex(staging)));
  });
});
