import type { LoadProblem } from './load-package';
import type { Change } from './package-types';
import { isIdentifier } from './identifiers';

/** A definition is stored as text; beyond this it is a mistake or an attack, not configuration. */
export const MAX_CHANGE_DATA_BYTES = 1024 * 1024;
export const MAX_DATA_DEPTH = 32;
/** Keys that would reach Object.prototype when definitions are merged. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export const FIELD_DATA_TYPES = ['string', 'text', 'integer', 'bigInteger', 'decimal', 'boolean', 'date', 'datetime'] as const;
export type FieldDataType = (typeof FIELD_DATA_TYPES)[number];

export function changeDataProblems(change: Change, path: string): LoadProblem[] {
  const problems: LoadProblem[] = [];
  const at = `sequence ${change.sequence}`;
  if (change.data !== undefined) {
    const shape = dataShapeProblem(change.data);
    if (shape) problems.push({ path: `${path}.data${shape.path}`, reason: `${shape.reason} (${at})` });
    const size = JSON.stringify(change.data).length;
    if (size > MAX_CHANGE_DATA_BYTES) {
      problems.push({ path: `${path}.data`, reason: `data is ${size} bytes, more than the ${MAX_CHANGE_DATA_BYTES} allowed per change (${at})` });
    }
  }
  if (change.schemaChange) problems.push(...schemaChangeProblems(change, path));
  if (change.objectType === 'ValidationList' && change.operation !== 'D') {
    const values = change.data?.values;
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string' && v.length <= 255)) {
      problems.push({ path: `${path}.data.values`, reason: `a ValidationList needs "values": an array of strings of at most 255 characters (${at})` });
    }
  }
  return problems;
}

/** Depth and key checks without recursion, so a hostile 100,000-deep document cannot blow the stack. */
function dataShapeProblem(data: Record<string, unknown>): { path: string; reason: string } | undefined {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value: data, path: '', depth: 1 }];
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_DATA_DEPTH) return { path, reason: `data is nested deeper than ${MAX_DATA_DEPTH} levels` };
    for (const [key, child] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(key)) return { path, reason: `data contains the forbidden key "${key}"` };
      pending.push({ value: child, path: Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, depth: depth + 1 });
    }
  }
  return undefined;
}

/** The schema changes the applier can make; anything else needs a hand-written migration. */
function schemaChangeProblems(change: Change, path: string): LoadProblem[] {
  const at = `sequence ${change.sequence}`;
  const supported = ['BusinessObject', 'Field', 'Index'].includes(change.objectType) && change.operation !== 'U';
  if (!supported) {
    return [{ path: `${path}.schemaChange`, reason: `a schema change is supported only when creating or deleting a BusinessObject, Field or Index, not ${change.operation} of ${change.objectType} (${at})` }];
  }
  const data = change.data ?? {};
  const problems: LoadProblem[] = [];
  const needIdentifier = (value: unknown, where: string, what: string): void => {
    if (!isIdentifier(value)) problems.push({ path: `${path}${where}`, reason: `${what} must be an SQL identifier (letters, digits, underscore), got ${JSON.stringify(value)} (${at})` });
  };
  if (change.objectType === 'BusinessObject' && change.operation === 'C') needIdentifier(data.table, '.data.table', 'the business object table');
  if (change.objectType === 'Field') {
    needIdentifier(data.column ?? change.entityName, data.column === undefined ? '.entityName' : '.data.column', 'a stored field name');
    if (change.operation === 'C' && !FIELD_DATA_TYPES.includes(data.dataType as FieldDataType)) {
      problems.push({ path: `${path}.data.dataType`, reason: `dataType must be one of ${FIELD_DATA_TYPES.join(', ')}, got ${JSON.stringify(data.dataType)} (${at})` });
    }
    if (data.length !== undefined && !(Number.isInteger(data.length) && (data.length as number) > 0 && (data.length as number) <= 4000)) {
      problems.push({ path: `${path}.data.length`, reason: `length must be an integer from 1 to 4000 (${at})` });
    }
  }
  if (change.objectType === 'Index') {
    needIdentifier(change.entityName, '.entityName', 'an index name');
    const columns = data.columns;
    if (change.operation === 'C' && !(Array.isArray(columns) && columns.length > 0 && columns.every(isIdentifier))) {
      problems.push({ path: `${path}.data.columns`, reason: `an index needs "columns": a non-empty array of SQL identifiers (${at})` });
    }
  }
  return problems;
}
