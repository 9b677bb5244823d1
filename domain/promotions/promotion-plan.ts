import type { DefinitionItem, TargetRow } from './bundle-types';

/** What a promotion does to one target row; `before` is the before-image back-out restores. */
export type PromotionChange =
  { action: 'create'; item: DefinitionItem } | { action: 'update'; item: DefinitionItem; before: TargetRow };

export interface PromotionPlan {
  changes: PromotionChange[];
  /** Items the target already has with the same body: nothing to do. */
  unchanged: string[];
  /** Errors that stop the promotion before anything is written (docs/packages.md "Conflicts"). */
  conflicts: string[];
}

const identityOf = (item: Pick<DefinitionItem, 'objectType' | 'businessObject' | 'name'>) =>
  `${item.objectType}/${item.businessObject ?? ''}/${item.name}`;

export function describeDefinition(
  item: Pick<DefinitionItem, 'objectType' | 'businessObject' | 'name' | 'guid'>,
): string {
  return `${item.objectType} "${item.businessObject ? `${item.businessObject}.` : ''}${item.name}" (GUID ${item.guid})`;
}

/**
 * Matches items by GUID (docs/packages.md "Conflicts": same GUID is replaced, a new one is added). An item whose
 * type and name the target already uses under another GUID is a conflict: the target created
 * it itself, and a promotion never overwrites that silently.
 */
export function planPromotion(items: DefinitionItem[], target: TargetRow[]): PromotionPlan {
  const byGuid = new Map(target.map((row) => [row.guid, row]));
  const byIdentity = new Map(target.map((row) => [identityOf(row), row]));
  const plan: PromotionPlan = { changes: [], unchanged: [], conflicts: [] };
  for (const item of items) {
    const existing = byGuid.get(item.guid);
    if (existing) {
      if (sameContent(existing, item)) plan.unchanged.push(item.guid);
      else plan.changes.push({ action: 'update', item, before: existing });
      continue;
    }
    const clash = byIdentity.get(identityOf(item));
    if (clash) {
      plan.conflicts.push(
        `${describeDefinition(item)} conflicts with ${describeDefinition(clash)} already on the target: same type and name, another GUID`,
      );
      continue;
    }
    plan.changes.push({ action: 'create', item });
  }
  return plan;
}

function sameContent(row: TargetRow, item: DefinitionItem): boolean {
  return (
    row.objectType === item.objectType &&
    row.businessObject === item.businessObject &&
    row.name === item.name &&
    row.definition === item.definition
  );
}

/** Back-out in the order that cannot trip the target's unique name key: delete, then restore. */
export function backOutSteps(changes: PromotionChange[]): { deletes: string[]; restores: TargetRow[] } {
  return {
    deletes: changes.filter((c) => c.action === 'create').map((c) => c.item.guid),
    restores: changes.flatMap((c) => (c.action === 'update' ? [c.before] : [])),
  };
}

/** Whether the target holds exactly what the plan writes (a retried promotion after its commit). */
export function planAlreadyApplied(changes: PromotionChange[], target: TargetRow[]): boolean {
  const byGuid = new Map(target.map((row) => [row.guid, row]));
  return changes.every((c) => {
    const row = byGuid.get(c.item.guid);
    return row !== undefined && sameContent(row, c.item);
  });
}
