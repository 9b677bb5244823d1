import type { Knex } from 'knex';
import { dialectOf, readTableColumns } from '../../../activities/packages/target-reader';

/**
 * Everything a package could change, in comparable form: every table's columns, its rows
 * (sorted) and the database's index names. Equal fingerprints mean an untouched target.
 */
export async function fingerprint(knex: Knex): Promise<Record<string, unknown>> {
  const columns = await readTableColumns(knex);
  const tables: Record<string, unknown> = {};
  for (const table of Object.keys(columns).sort()) {
    const rows = (await knex(table).select('*')) as Array<Record<string, unknown>>;
    tables[table] = {
      columns: [...columns[table]].sort(),
      rows: rows.map((row) => JSON.stringify(row, Object.keys(row).sort())).sort(),
    };
  }
  return { tables, indexes: await indexNames(knex) };
}

async function indexNames(knex: Knex): Promise<string[]> {
  if (dialectOf(knex) === 'postgres') {
    const result = (await knex.raw('select indexname from pg_indexes where schemaname = current_schema()')) as {
      rows: Array<{ indexname: string }>;
    };
    return result.rows.map((r) => r.indexname).sort();
  }
  if (dialectOf(knex) === 'mssql') {
    const rows = (await knex.raw(
      'select i.name from sys.indexes i join sys.tables t on t.object_id = i.object_id where i.name is not null',
    )) as Array<{ name: string }>;
    return rows.map((r) => r.name).sort();
  }
  const rows = (await knex.raw("select name from sqlite_master where type = 'index'")) as Array<{ name: string }>;
  return rows.map((r) => r.name).sort();
}
