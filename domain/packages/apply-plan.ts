import type { FieldDataType } from './change-data-checks';
import type { Aspect, ChangeRef } from './package-types';

/** A metadata item as the target stores it (sample schema `metadata_items`). */
export interface TargetItem {
  guid: string;
  objectType: string;
  businessObject: string | null;
  name: string;
  definition: Record<string, unknown>;
  /** Id of the package that installed it; null when the tenant created it itself. */
  installedBy: string | null;
}

export interface TargetList {
  guid: string;
  name: string;
  installedBy: string | null;
}

/** What validation needs to know about the target before anything is applied. */
export interface TargetSnapshot {
  items: TargetItem[];
  lists: TargetList[];
  /** Table name (lower case) → its column names (lower case). */
  tables: Record<string, string[]>;
  /** Platform tables a package may never alter (metadata, settings, …). */
  protectedTables: string[];
}

export interface FieldSpec {
  dataType: FieldDataType;
  length?: number;
  precision?: number;
  scale?: number;
}

/** One database operation of an apply, in order; `at` names the change it comes from. */
export type PlanStep =
  | { kind: 'insertItem'; at: ChangeRef; item: TargetItem }
  | { kind: 'replaceItem'; at: ChangeRef; item: TargetItem }
  | { kind: 'deleteItem'; at?: ChangeRef; guid: string; overwriteOf?: string }
  | { kind: 'putList'; at: ChangeRef; list: TargetList; values: string[]; exists: boolean }
  | { kind: 'deleteList'; at?: ChangeRef; guid: string; overwriteOf?: string }
  | { kind: 'createTable'; at: ChangeRef; table: string }
  | { kind: 'dropTable'; at: ChangeRef; table: string }
  | { kind: 'addColumn'; at: ChangeRef; table: string; column: string; field: FieldSpec }
  | { kind: 'dropColumn'; at: ChangeRef; table: string; column: string }
  | { kind: 'createIndex'; at: ChangeRef; table: string; name: string; columns: string[]; unique: boolean }
  | { kind: 'dropIndex'; at: ChangeRef; table: string; name: string }
  | { kind: 'setAspects'; packageId: string; aspects: Aspect[] };

export function describeStep(step: PlanStep): string {
  const where = stepOrigin(step);
  switch (step.kind) {
    case 'insertItem':
    case 'replaceItem':
      return `${where} (${step.item.objectType} "${step.item.name}", GUID ${step.item.guid})`;
    case 'putList':
      return `${where} (ValidationList "${step.list.name}", GUID ${step.list.guid})`;
    case 'deleteItem':
    case 'deleteList':
      return `${where} (delete GUID ${step.guid})`;
    case 'setAspects':
      return `${where} (aspects)`;
    default:
      return `${where} (${step.kind} on table ${step.table})`;
  }
}

function stepOrigin(step: PlanStep): string {
  if (step.kind === 'setAspects') return step.packageId;
  if (step.at) return `${step.at.packageId} sequence ${step.at.sequence}`;
  return `overwrite of ${'overwriteOf' in step ? step.overwriteOf : '?'}`;
}

export function nameKey(objectType: string, businessObject: string | null | undefined, name: string): string {
  return `${objectType}\u0000${(businessObject ?? '').toLowerCase()}\u0000${name.toLowerCase()}`;
}
