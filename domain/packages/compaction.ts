import { composeMergePatches } from './merge-patch';
import { changesOf, type Change, type IncrementalPackage } from './package-types';

export interface CompactionResult {
  pkg: IncrementalPackage;
  /** Sequence of each kept change → the sequences folded into it (itself included). */
  merged: Map<number, number[]>;
}

/**
 * docs/packages.md "Compaction": consecutive updates to the same entity of the same
 * type become one change; creating an entity is never merged with the updates after it.
 * The merged change keeps the first update's sequence and carries the composed merge patch.
 */
export function compactPackage(pkg: IncrementalPackage): CompactionResult {
  const merged = new Map<number, number[]>();
  const kept: Change[] = [];
  for (const change of changesOf(pkg)) {
    const previous = kept[kept.length - 1];
    const folded = previous && canMerge(previous, change) ? composeMergePatches(previous.data, change.data) : undefined;
    if (folded !== undefined) {
      kept[kept.length - 1] = { ...previous, data: folded as Record<string, unknown>, entityName: change.entityName };
      merged.get(previous.sequence)!.push(change.sequence);
      continue;
    }
    kept.push(change);
    merged.set(change.sequence, [change.sequence]);
  }
  const keptSequences = new Set(kept.map((c) => c.sequence));
  const bySequence = new Map(kept.map((c) => [c.sequence, c]));
  const transactionSets = pkg.transactionSets
    .map((set) => ({
      ...set,
      changes: set.changes.filter((c) => keptSequences.has(c.sequence)).map((c) => bySequence.get(c.sequence)!),
    }))
    .filter((set) => set.changes.length > 0);
  return { pkg: { ...pkg, transactionSets }, merged };
}

function canMerge(previous: Change, next: Change): boolean {
  return (
    previous.operation === 'U' &&
    next.operation === 'U' &&
    previous.guid.toLowerCase() === next.guid.toLowerCase() &&
    previous.objectType === next.objectType &&
    (previous.businessObject ?? '') === (next.businessObject ?? '') &&
    !previous.schemaChange &&
    !next.schemaChange
  );
}
