import { type FieldSpec, nameKey, type PlanStep, type TargetItem } from './apply-plan';
import type { FieldDataType } from './change-data-checks';
import type { Change, ChangeRef } from './package-types';
import { type TargetState } from './simulation';
type SchemaResult = { steps: PlanStep[] } | { error: string };

/**
 * The DDL a schema-changing item needs: a business object's table, a stored field's column, an
 * index. The loader already checked identifiers; here the target decides what is possible.
 */
export function schemaSteps(state: TargetState, change: Change, at: ChangeRef, existing?: TargetItem): SchemaResult {
  const data = change.data ?? {};
  if (change.objectType === 'BusinessObject') {
    const table =
      change.operation === 'C' ? (data.table as string) : (existing?.definition.table as string | undefined);
    if (!table) return { error: `business object ${change.entityName} has no table on the target to drop` };
    const refusal = tableRefusal(state, table);
    if (refusal) return { error: refusal };
    const exists = state.tables.has(table.toLowerCase());
    if (change.operation === 'C') {
      if (exists) return { error: `table ${table} already exists on the target` };
      state.tables.set(table.toLowerCase(), new Set(['id']));
      return { steps: [{ kind: 'createTable', at, table }] };
    }
    if (!exists)
      return { error: `table ${table} of business object ${change.entityName} does not exist on the target` };
    state.tables.delete(table.toLowerCase());
    return { steps: [{ kind: 'dropTable', at, table }] };
  }
  const found = businessObjectTable(state, change.businessObject!);
  if ('error' in found) return found;
  const { table, columns } = found;
  if (change.objectType === 'Field') {
    const column =
      (data.column as string | undefined) ?? (existing?.definition.column as string | undefined) ?? change.entityName;
    return fieldSteps(change, at, table, columns, column);
  }
  const name = change.entityName;
  if (change.operation === 'D') return { steps: [{ kind: 'dropIndex', at, table, name }] };
  const missing = (data.columns as string[]).filter((c) => !columns.has(c.toLowerCase()));
  if (missing.length > 0)
    return { error: `index ${name} names columns ${missing.join(', ')} that table ${table} does not have` };
  return {
    steps: [{ kind: 'createIndex', at, table, name, columns: data.columns as string[], unique: data.unique === true }],
  };
}

function fieldSteps(change: Change, at: ChangeRef, table: string, columns: Set<string>, column: string): SchemaResult {
  const has = columns.has(column.toLowerCase());
  if (change.operation === 'D') {
    if (column.toLowerCase() === 'id') return { error: `the id column of table ${table} cannot be dropped` };
    if (!has) return { error: `table ${table} has no column ${column} to drop` };
    columns.delete(column.toLowerCase());
    return { steps: [{ kind: 'dropColumn', at, table, column }] };
  }
  if (has) return { error: `table ${table} already has a column ${column}` };
  const data = change.data!;
  const field: FieldSpec = {
    dataType: data.dataType as FieldDataType,
    length: data.length as number | undefined,
    precision: data.precision as number | undefined,
    scale: data.scale as number | undefined,
  };
  columns.add(column.toLowerCase());
  return { steps: [{ kind: 'addColumn', at, table, column, field }] };
}

function businessObjectTable(
  state: TargetState,
  businessObject: string,
): { table: string; columns: Set<string> } | { error: string } {
  const guid = state.names.get(nameKey('BusinessObject', null, businessObject));
  const table = guid ? (state.items.get(guid)?.definition.table as string | undefined) : undefined;
  if (!table)
    return {
      error: `business object ${businessObject} has no table: the target (or an earlier change) needs a BusinessObject "${businessObject}" with data.table`,
    };
  const refusal = tableRefusal(state, table);
  if (refusal) return { error: refusal };
  const columns = state.tables.get(table.toLowerCase());
  if (!columns) return { error: `table ${table} of business object ${businessObject} does not exist on the target` };
  return { table, columns };
}

function tableRefusal(state: TargetState, table: string): string | undefined {
  if (state.protectedTables.has(table.toLowerCase()))
    return `table ${table} belongs to the platform; a package cannot change its schema`;
  return undefined;
}
