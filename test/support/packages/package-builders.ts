import type { Change, IncrementalPackage, MasterPackage } from '../../../domain/packages/package-types';

/** Deterministic GUIDs: `guid(7)` → 00000000-0000-4000-8000-000000000007. */
export function guid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function change(sequence: number, fields: Omit<Change, 'sequence' | 'guid'> & { guid?: string }): Change {
  return { sequence, guid: guid(sequence), ...fields };
}

export function incremental(
  id: string,
  version: string,
  changes: Change[],
  extra: Partial<IncrementalPackage> = {},
): IncrementalPackage {
  return { formatVersion: 1, kind: 'incremental', id, version, transactionSets: [{ id: 1, changes }], ...extra };
}

export function master(
  id: string,
  version: string,
  subPackages: MasterPackage['subPackages'],
  extra: Partial<MasterPackage> = {},
): MasterPackage {
  return { formatVersion: 1, kind: 'master', id, version, subPackages, ...extra };
}

/** A form on Incident: low impact when created. */
export function form(sequence: number, name: string, data: Record<string, unknown> = { layout: name }): Change {
  return change(sequence, { operation: 'C', objectType: 'Form', businessObject: 'Incident', entityName: name, data });
}
