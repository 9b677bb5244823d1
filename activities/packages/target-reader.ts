import type { Knex } from 'knex';
import type { TargetItem, TargetList, TargetSnapshot } from '../../domain/packages/apply-plan';
import type { InstalledAspect } from '../../domain/packages/master-order';
import type { MetadataItemRow } from '../shared/metadata-item-row';

export interface TargetContext {
  settings: Record<string, string>;
  aspects: InstalledAspect[];
  /** Metadata read-only mode (docs/packages.md "Read-only rule"): the row tenant_settings(metadata_locked). */
  metadataLocked: boolean;
}

export async function readTargetState(knex: Knex): Promise<TargetContext> {
  const settings: Record<string, string> = {};
  for (const row of await knex<{ key: string; value: string }>('tenant_settings').select('key', 'value'))
    settings[row.key] = row.value;
  const aspects = await knex('package_aspects').select('vendor_id', 'aspect_id', 'version');
  return {
    settings,
    aspects: aspects.map((a: { vendor_id: string; aspect_id: string; version: number }) => ({
      vendorId: a.vendor_id,
      id: a.aspect_id,
      version: Number(a.version),
    })),
    metadataLocked: settings.metadata_locked === 'true',
  };
}

/** The marker an apply writes in its own transaction: finds an apply whose patch-log write was lost. */
export async function appliedMarker(knex: Knex, packageId: string, version: string): Promise<string | undefined> {
  const row = await knex('applied_packages')
    .where({ package_id: packageId, package_version: version })
    .first('checksum');
  return (row as { checksum: string } | undefined)?.checksum;
}

/** `protectedTables`: from the target's schema descriptor (domain/tenant-schema.ts `protectedTablesOf`). */
export async function readSnapshot(knex: Knex, protectedTables: string[]): Promise<TargetSnapshot> {
  const [items, lists, tables] = await Promise.all([readItems(knex), readLists(knex), readTableColumns(knex)]);
  return { items, lists, tables, protectedTables };
}

type ItemRow = Omit<MetadataItemRow, 'updated_at'>;

export async function readItems(knex: Knex): Promise<TargetItem[]> {
  const rows = await knex<ItemRow>('metadata_items')
    .select('guid', 'object_type', 'business_object', 'name', 'definition', 'installed_by_package')
    .orderBy('guid');
  return rows.map((row) => ({
    guid: row.guid,
    objectType: row.object_type,
    businessObject: row.business_object,
    name: row.name,
    definition: parseDefinition(row),
    installedBy: row.installed_by_package,
  }));
}

function parseDefinition(row: ItemRow): Record<string, unknown> {
  try {
    const parsed = JSON.parse(row.definition) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : { value: parsed };
  } catch {
    throw new Error(
      `metadata_items row ${row.guid} (${row.object_type} "${row.name}") has a definition that is not JSON`,
    );
  }
}

export async function readLists(knex: Knex): Promise<TargetList[]> {
  const rows = await knex('validation_lists').select('guid', 'name', 'installed_by_package').orderBy('guid');
  return rows.map((row: { guid: string; name: string; installed_by_package: string | null }) => ({
    guid: row.guid,
    name: row.name,
    installedBy: row.installed_by_package,
  }));
}

/** Values of each list in order, for exports. */
export async function readListValues(knex: Knex): Promise<Map<string, string[]>> {
  const rows = await knex('validation_list_values')
    .select('list_guid', 'value')
    .orderBy(['list_guid', 'ordinal', 'id']);
  const values = new Map<string, string[]>();
  for (const row of rows as Array<{ list_guid: string; value: string }>)
    values.set(row.list_guid, [...(values.get(row.list_guid) ?? []), row.value]);
  return values;
}

/** Table → columns (lower case) of the database's default schema, on each of our engines. */
export async function readTableColumns(knex: Knex): Promise<Record<string, string[]>> {
  const rows = (await knex.raw(columnsQuery(dialectOf(knex)))) as unknown;
  const list = Array.isArray(rows) ? rows : ((rows as { rows?: unknown[] }).rows ?? []);
  const tables: Record<string, string[]> = {};
  for (const row of list as Array<{ table_name: string; column_name: string }>) {
    (tables[row.table_name.toLowerCase()] ??= []).push(row.column_name.toLowerCase());
  }
  return tables;
}

export type Dialect = 'sqlite' | 'postgres' | 'mssql';

export function dialectOf(knex: Knex): Dialect {
  const client = String((knex.client as { config: { client: unknown } }).config.client);
  if (client === 'pg' || client === 'postgres' || client === 'postgresql') return 'postgres';
  if (client === 'mssql') return 'mssql';
  return 'sqlite';
}

function columnsQuery(dialect: Dialect): string {
  switch (dialect) {
    case 'postgres':
      return 'select table_name, column_name from information_schema.columns where table_schema = current_schema()';
    case 'mssql':
      return 'select TABLE_NAME as table_name, COLUMN_NAME as column_name from INFORMATION_SCHEMA.COLUMNS where TABLE_SCHEMA = SCHEMA_NAME()';
    default:
      return "select m.name as table_name, p.name as column_name from sqlite_master m join pragma_table_info(m.name) p where m.type = 'table'";
  }
}
