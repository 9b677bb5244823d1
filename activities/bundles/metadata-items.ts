import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import type { DefinitionItem, ItemSelector, TargetRow } from '../../domain/promotions/bundle-types';
import { describeDefinition, type PromotionChange } from '../../domain/promotions/promotion-plan';
import { RowChecksum } from '../../engines/row-checksum';
import { MetadataFingerprint } from '../../contracts/promotions';
import type { MetadataItemRow } from '../shared/metadata-item-row';

/** Reading and writing `metadata_items` (sample/tenant-schema.ts), the definitions bundles carry. */

const COLUMNS: Array<keyof MetadataItemRow> = [
  'guid',
  'object_type',
  'business_object',
  'name',
  'definition',
  'installed_by_package',
  'updated_at',
];

/** Every column of `metadata_items`; rows come back as MetadataItemRow. */
const selectRows = (knex: Knex) =>
  knex('metadata_items').select(COLUMNS) as unknown as Knex.QueryBuilder<MetadataItemRow, MetadataItemRow[]>;

const rowOf = (row: MetadataItemRow): TargetRow => ({
  guid: row.guid,
  objectType: row.object_type,
  businessObject: row.business_object,
  name: row.name,
  definition: row.definition,
  installedByPackage: row.installed_by_package,
  updatedAt: row.updated_at,
});

/** Rows with the given GUIDs, and every row sharing a type and name with one of `items` (conflicts). */
export async function readTargetRows(knex: Knex, items: DefinitionItem[]): Promise<TargetRow[]> {
  const rows: MetadataItemRow[] = [];
  for (let i = 0; i < items.length; i += 500) {
    const chunk = items.slice(i, i + 500);
    rows.push(
      ...(await selectRows(knex).whereIn(
        'guid',
        chunk.map((item) => item.guid),
      )),
    );
    rows.push(...(await selectRows(knex).whereIn('name', [...new Set(chunk.map((item) => item.name))])));
  }
  return [...new Map(rows.map((row) => [row.guid, rowOf(row)])).values()];
}

/** The source's current content of items by GUID; a missing one fails naming it and the source. */
export async function readSourceItems(knex: Knex, guids: string[], source: string): Promise<DefinitionItem[]> {
  const found = new Map<string, TargetRow>();
  for (let i = 0; i < guids.length; i += 500) {
    const rows = await selectRows(knex).whereIn('guid', guids.slice(i, i + 500));
    for (const row of rows) found.set(row.guid, rowOf(row));
  }
  const missing = guids.filter((guid) => !found.has(guid));
  if (missing.length > 0) {
    throw ApplicationFailure.nonRetryable(
      `${source} has no metadata item with GUID ${missing.join(', ')} (deleted since it was added?)`,
      'ItemNotFound',
    );
  }
  return guids.map((guid) => definitionOf(found.get(guid)!));
}

export const definitionOf = (row: TargetRow): DefinitionItem => ({
  guid: row.guid,
  objectType: row.objectType,
  businessObject: row.businessObject,
  name: row.name,
  definition: row.definition,
});

/** Resolves selectors on the source: by GUID, or by type + name (+ business object). */
export async function resolveSelectors(
  knex: Knex,
  selectors: ItemSelector[],
  source: string,
): Promise<DefinitionItem[]> {
  const items: DefinitionItem[] = [];
  for (const selector of selectors) {
    let query = selectRows(knex);
    if ('guid' in selector) query = query.where({ guid: selector.guid });
    else {
      query = query.where({ object_type: selector.objectType, name: selector.name });
      if (selector.businessObject !== undefined) query = query.where({ business_object: selector.businessObject });
    }
    const rows = await query;
    const what =
      'guid' in selector
        ? `GUID ${selector.guid}`
        : `${selector.objectType} "${selector.businessObject ? `${selector.businessObject}.` : ''}${selector.name}"`;
    if (rows.length === 0)
      throw ApplicationFailure.nonRetryable(`${source} has no metadata item ${what}`, 'ItemNotFound');
    if (rows.length > 1) {
      throw ApplicationFailure.nonRetryable(
        `${what} is ambiguous on ${source}: ${rows.map((r) => describeDefinition(definitionOf(rowOf(r)))).join(', ')}; name the business object or the GUID`,
        'ItemAmbiguous',
      );
    }
    items.push(definitionOf(rowOf(rows[0])));
  }
  return items;
}

/** Writes a promotion plan; the caller runs it in the target's transaction. */
export async function writeChanges(trx: Knex.Transaction, changes: PromotionChange[], now: string): Promise<void> {
  for (const change of changes) {
    const { guid, objectType, businessObject, name, definition } = change.item;
    const values = { object_type: objectType, business_object: businessObject, name, definition, updated_at: now };
    if (change.action === 'create') await trx('metadata_items').insert({ guid, ...values, installed_by_package: null });
    else await trx('metadata_items').where({ guid }).update(values);
  }
}

/** Back-out: removes what the promotion created, puts back the before-image of what it updated. */
export async function restoreBeforeImages(
  trx: Knex.Transaction,
  deletes: string[],
  restores: TargetRow[],
): Promise<void> {
  for (let i = 0; i < deletes.length; i += 500)
    await trx('metadata_items')
      .whereIn('guid', deletes.slice(i, i + 500))
      .delete();
  for (const row of restores) {
    const values = {
      object_type: row.objectType,
      business_object: row.businessObject,
      name: row.name,
      definition: row.definition,
      installed_by_package: row.installedByPackage,
      updated_at: row.updatedAt,
    };
    const updated = await trx('metadata_items').where({ guid: row.guid }).update(values);
    // Deleted on the target since the promotion: the before-image comes back all the same.
    if (updated === 0) await trx('metadata_items').insert({ guid: row.guid, ...values });
  }
}

/** Row count and order-independent checksum of `metadata_items` (the engines' RowChecksum). */
export async function fingerprintMetadata(knex: Knex): Promise<MetadataFingerprint> {
  const checksum = new RowChecksum();
  const rows = await selectRows(knex);
  for (const row of rows) checksum.add(COLUMNS.map((column) => row[column]));
  return { rows: checksum.rows, checksum: checksum.hex() };
}
