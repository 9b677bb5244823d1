import { analyzeChange } from '../packages/impact-analysis';
import type { IMPACT_LEVELS } from '../packages/impact-rules';
import { diffMergePatch, isPlainObject } from '../packages/merge-patch';
import type { Change, ObjectType } from '../packages/package-types';
import type { PromotionChange } from './promotion-plan';

export interface PromotionImpact {
  level: (typeof IMPACT_LEVELS)[number];
  /** The changes at that level, named as the impact table names them ("Form/Incident/Intake: Changes the form"). */
  headline: string[];
}

/**
 * A promotion's writes judged by the package impact table (docs/packages.md "Impact levels"), so that a locked target
 * gets the same rules as a package (docs/mass-deployment-and-promotions.md "Locked targets"): a created item is a
 * create with its whole body, an updated one a merge patch of what differs from the target's row.
 */
export function promotionImpact(changes: PromotionChange[]): PromotionImpact {
  const judged = changes.map((change, index) => ({
    change,
    impact: analyzeChange(asPackageChange(change, index), ''),
  }));
  const level = judged.some((j) => j.impact.level === 'high')
    ? 'high'
    : judged.some((j) => j.impact.level === 'medium')
      ? 'medium'
      : 'low';
  const headline = judged
    .filter((j) => j.impact.level === level && j.impact.reasons.length > 0)
    .map(({ change, impact }) => `${identity(change)}: ${impact.reasons.map((r) => r.text).join(', ')}`);
  return { level, headline };
}

function asPackageChange(change: PromotionChange, index: number): Change {
  const body = parsed(change.item.definition);
  const data = change.action === 'create' ? body : diffMergePatch(parsed(change.before.definition), body);
  return {
    sequence: index + 1,
    operation: change.action === 'create' ? 'C' : 'U',
    objectType: change.item.objectType as ObjectType,
    businessObject: change.item.businessObject ?? undefined,
    entityName: change.item.name,
    guid: change.item.guid,
    data: isPlainObject(data) ? data : undefined,
  };
}

function parsed(definition: string): unknown {
  try {
    return JSON.parse(definition);
  } catch {
    return undefined;
  }
}

function identity(change: PromotionChange): string {
  const { objectType, businessObject, name } = change.item;
  return [objectType, businessObject, name].filter(Boolean).join('/');
}
