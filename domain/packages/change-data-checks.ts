import type { LoadProblem } from './load-package';
import type { Change } from './package-types';
import { isPackageIdentifier } from './package-identifiers';
import { isClearTextSecret } from '../secrets';

/** A definition is stored as text; beyond this it is a mistake or an attack, not configuration. */
export const MAX_CHANGE_DATA_BYTES = 1024 * 1024;
export const MAX_DATA_DEPTH = 32;
/** Keys that would reach Object.prototype when definitions are merged. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export const FIELD_DATA_TYPES = [
  'string',
  'text',
  'integer',
  'bigInteger',
  'decimal',
  'boolean',
  'date',
  'datetime',
] as const;
export type FieldDataType = (typeof FIELD_DATA_TYPES)[number];

/** docs/packages.md "Business objects and their tables": the engines' own catalog, never a business object's table. */
const SYSTEM_TABLE =
  /^(sqlite_|pg_)|^(information_schema|sys|sys(objects|columns|indexes|indexkeys|users|databases|logins|processes|comments|constraints|references|files|filegroups|foreignkeys|members|permissions|protects|types|altfiles|cacheobjects|charsets|configures|curconfigs|devices|languages|lockinfo|messages|oledbusers|perfinfo|remotelogins|servers|depends|fulltextcatalogs))$/i;

export function isSystemTable(table: string): boolean {
  return SYSTEM_TABLE.test(table.trim());
}

export function changeDataProblems(change: Change, path: string): LoadProblem[] {
  const problems: LoadProblem[] = [];
  const at = `sequence ${change.sequence}`;
  if (change.data !== undefined) {
    const { problem: shape, sizeBound } = dataShape(change.data);
    if (shape) problems.push({ path: `${path}.data${shape.path}`, reason: `${shape.reason} (${at})` });
    // The walk bounds the JSON size from above; only data that might be too big is serialized.
    const size = !shape && sizeBound > MAX_CHANGE_DATA_BYTES ? JSON.stringify(change.data).length : 0;
    if (size > MAX_CHANGE_DATA_BYTES) {
      problems.push({
        path: `${path}.data`,
        reason: `data is ${size} bytes, more than the ${MAX_CHANGE_DATA_BYTES} allowed per change (${at})`,
      });
    }
  }
  if (change.schemaChange) problems.push(...schemaChangeProblems(change, path));
  const table = change.objectType === 'BusinessObject' ? change.data?.table : undefined;
  if (typeof table === 'string' && isSystemTable(table)) {
    problems.push({
      path: `${path}.data.table`,
      reason: `table ${table} belongs to the database engine's own catalog; a business object cannot map it (${at})`,
    });
  }
  if (change.objectType === 'ValidationList' && change.entityName.length > 128) {
    problems.push({
      path: `${path}.entityName`,
      reason: `a ValidationList name must be at most 128 characters, got ${change.entityName.length} (${at})`,
    });
  }
  if (change.objectType === 'ValidationList' && change.operation !== 'D') {
    const values = change.data?.values;
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string' && v.length <= 255)) {
      problems.push({
        path: `${path}.data.values`,
        reason: `a ValidationList needs "values": an array of strings of at most 255 characters (${at})`,
      });
    }
  }
  return problems;
}

/**
 * Depth and key checks without recursion, so a hostile 100,000-deep document cannot blow the
 * stack. Paths are built only for a problem found; the walk also bounds the serialized size
 * from above (as if every character were escaped as \uXXXX).
 */
function dataShape(data: Record<string, unknown>): { problem?: { path: string; reason: string }; sizeBound: number } {
  const values: unknown[] = [data];
  const depths: number[] = [1];
  const parents: number[] = [-1];
  const keys: string[] = [''];
  let bound = 0;
  for (let next = 0; next < values.length; next += 1) {
    const value = values[next];
    if (typeof value === 'string') bound += value.length * 6 + 3;
    else if (value === null || typeof value !== 'object') bound += 25;
    else {
      if (depths[next] > MAX_DATA_DEPTH)
        return {
          sizeBound: bound,
          problem: {
            path: pathOf(next, parents, keys, values),
            reason: `data is nested deeper than ${MAX_DATA_DEPTH} levels`,
          },
        };
      bound += 2;
      for (const key of Object.keys(value)) {
        if (FORBIDDEN_KEYS.has(key))
          return {
            sizeBound: bound,
            problem: { path: pathOf(next, parents, keys, values), reason: `data contains the forbidden key "${key}"` },
          };
        // docs/packages.md "Secrets": the value is never repeated in the message.
        if (isClearTextSecret(key, (value as Record<string, unknown>)[key]))
          return {
            sizeBound: bound,
            problem: {
              path: `${pathOf(next, parents, keys, values)}${Array.isArray(value) ? `[${key}]` : `.${key}`}`,
              reason: 'a clear-text secret: write a reference (${ENV_NAME} or vault:<path>), never the secret itself',
            },
          };
        bound += key.length * 6 + 4;
        values.push((value as Record<string, unknown>)[key]);
        depths.push(depths[next] + 1);
        parents.push(next);
        keys.push(key);
      }
    }
  }
  return { sizeBound: bound };
}

/** The JSON path (`.a[2].b`, relative) of entry `index` of a breadth-first walk kept as parallel arrays. */
export function pathOf(index: number, parents: number[], keys: string[], values: unknown[]): string {
  const parts: string[] = [];
  for (let at = index; parents[at] >= 0; at = parents[at])
    parts.push(Array.isArray(values[parents[at]]) ? `[${keys[at]}]` : `.${keys[at]}`);
  return parts.reverse().join('');
}

/** The schema changes the applier can make; anything else needs a hand-written migration. */
function schemaChangeProblems(change: Change, path: string): LoadProblem[] {
  const at = `sequence ${change.sequence}`;
  const supported = ['BusinessObject', 'Field', 'Index'].includes(change.objectType) && change.operation !== 'U';
  if (!supported) {
    return [
      {
        path: `${path}.schemaChange`,
        reason: `a schema change is supported only when creating or deleting a BusinessObject, Field or Index, not ${change.operation} of ${change.objectType} (${at})`,
      },
    ];
  }
  const data = change.data ?? {};
  const problems: LoadProblem[] = [];
  const needIdentifier = (value: unknown, where: string, what: string): void => {
    if (!isPackageIdentifier(value))
      problems.push({
        path: `${path}${where}`,
        reason: `${what} must be an SQL identifier (letters, digits, underscore), got ${JSON.stringify(value)} (${at})`,
      });
  };
  if (change.objectType === 'BusinessObject' && change.operation === 'C')
    needIdentifier(data.table, '.data.table', 'the business object table');
  if (change.objectType === 'Field') {
    needIdentifier(
      data.column ?? change.entityName,
      data.column === undefined ? '.entityName' : '.data.column',
      'a stored field name',
    );
    if (change.operation === 'C' && !FIELD_DATA_TYPES.includes(data.dataType as FieldDataType)) {
      problems.push({
        path: `${path}.data.dataType`,
        reason: `dataType must be one of ${FIELD_DATA_TYPES.join(', ')}, got ${JSON.stringify(data.dataType)} (${at})`,
      });
    }
    if (
      data.length !== undefined &&
      !(Number.isInteger(data.length) && (data.length as number) > 0 && (data.length as number) <= 4000)
    ) {
      problems.push({ path: `${path}.data.length`, reason: `length must be an integer from 1 to 4000 (${at})` });
    }
  }
  if (change.objectType === 'Index') {
    needIdentifier(change.entityName, '.entityName', 'an index name');
    const columns = data.columns;
    if (
      change.operation === 'C' &&
      !(Array.isArray(columns) && columns.length > 0 && columns.every(isPackageIdentifier))
    ) {
      problems.push({
        path: `${path}.data.columns`,
        reason: `an index needs "columns": a non-empty array of SQL identifiers (${at})`,
      });
    }
  }
  return problems;
}
