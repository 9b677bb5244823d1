import type { Knex } from 'knex';
import { describeStep, type PlanStep, type TargetItem } from '../../domain/packages/apply-plan';
import { executeSchemaStep, isSchemaStep } from './schema-executor';

/** A step that failed; the message names the package, the sequence number and the entity. */
export class PackageStepError extends Error {
  override readonly name = 'PackageStepError';
  constructor(
    readonly step: PlanStep,
    override readonly cause: unknown,
  ) {
    super(`${describeStep(step)} failed: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

export interface ExecuteOptions {
  now: string;
  /** Called every few hundred steps (the activity heartbeats). */
  onProgress?(done: number, total: number): void;
  /** Runs last inside the same transaction (the apply marker). */
  finish?(trx: Knex.Transaction): Promise<void>;
}

/** SQL Server allows 2,100 parameters per statement; 7 columns × 250 rows stays under it. */
const INSERT_BATCH = 250;
const DELETE_BATCH = 1000;
const SEGMENT_LIMIT = 2000;

/**
 * Applies the plan in one transaction: all or nothing. Metadata rows go in set-based segments
 * (fast); if the transaction fails, the plan is replayed step by step in a transaction that is
 * always rolled back, to name the change at fault (PackageStepError). The target is untouched
 * either way.
 */
export async function applyPlan(knex: Knex, steps: PlanStep[], options: ExecuteOptions): Promise<void> {
  try {
    await knex.transaction(async (trx) => {
      await executeSegments(trx, steps, options);
      await options.finish?.(trx);
    });
  } catch (error) {
    if (error instanceof PackageStepError) throw error;
    throw (await diagnose(knex, steps, options.now)) ?? error;
  }
}

const ROLLBACK = Symbol('diagnosis done');

async function diagnose(knex: Knex, steps: PlanStep[], now: string): Promise<PackageStepError | undefined> {
  try {
    await knex.transaction(async (trx) => {
      for (const step of steps) await executeOne(trx, step, now);
      throw ROLLBACK;
    });
  } catch (error) {
    if (error instanceof PackageStepError) return error;
    if (error !== ROLLBACK) return undefined;
  }
  return undefined;
}

export async function executeSegments(
  trx: Knex.Transaction,
  steps: PlanStep[],
  options: ExecuteOptions,
): Promise<void> {
  let index = 0;
  let reported = 0;
  while (index < steps.length) {
    const segment = itemSegment(steps, index);
    if (segment.length > 1) await applySegment(trx, segment, options.now);
    else await executeOne(trx, steps[index], options.now);
    index += Math.max(segment.length, 1);
    if (index - reported >= 500) {
      options.onProgress?.(index, steps.length);
      reported = index;
    }
  }
  options.onProgress?.(steps.length, steps.length);
}

type ItemStep = Extract<PlanStep, { kind: 'insertItem' | 'replaceItem' | 'deleteItem' }>;

const isItemStep = (step: PlanStep): step is ItemStep =>
  step.kind === 'insertItem' || step.kind === 'replaceItem' || step.kind === 'deleteItem';

/** Consecutive metadata-row steps on distinct GUIDs: their order inside the run does not matter. */
function itemSegment(steps: PlanStep[], from: number): ItemStep[] {
  const guids = new Set<string>();
  const segment: ItemStep[] = [];
  for (let i = from; i < steps.length && segment.length < SEGMENT_LIMIT; i += 1) {
    const step = steps[i];
    if (!isItemStep(step)) break;
    const guid = (step.kind === 'deleteItem' ? step.guid : step.item.guid).toLowerCase();
    if (guids.has(guid)) break;
    guids.add(guid);
    segment.push(step);
  }
  return segment;
}

/**
 * A segment as two set operations: delete every row it replaces or deletes, then insert every
 * row it creates or replaces. In a validated plan the final names are unique, so no insert can
 * collide with a row the segment still holds. metadata_items has no dependants to cascade to.
 */
async function applySegment(trx: Knex.Transaction, segment: ItemStep[], now: string): Promise<void> {
  const gone = segment
    .filter((s) => s.kind !== 'insertItem')
    .map((s) => (s.kind === 'deleteItem' ? s.guid : s.item.guid));
  let deleted = 0;
  for (let i = 0; i < gone.length; i += DELETE_BATCH)
    deleted += await trx('metadata_items')
      .whereIn('guid', gone.slice(i, i + DELETE_BATCH))
      .delete();
  if (deleted !== gone.length)
    throw new Error(`the target changed since validation: ${gone.length} items to replace or delete, ${deleted} found`);
  const rows = segment.flatMap((s) => (s.kind === 'deleteItem' ? [] : [itemRow(s.item, now)]));
  for (let i = 0; i < rows.length; i += INSERT_BATCH)
    await trx('metadata_items').insert(rows.slice(i, i + INSERT_BATCH));
}

async function executeOne(trx: Knex.Transaction, step: PlanStep, now: string): Promise<void> {
  try {
    await execute(trx, step, now);
  } catch (error) {
    throw error instanceof PackageStepError ? error : new PackageStepError(step, error);
  }
}

async function execute(trx: Knex.Transaction, step: PlanStep, now: string): Promise<void> {
  if (isSchemaStep(step)) return executeSchemaStep(trx, step);
  switch (step.kind) {
    case 'insertItem':
      await trx('metadata_items').insert(itemRow(step.item, now));
      return;
    case 'replaceItem': {
      const { guid, ...rest } = itemRow(step.item, now);
      const updated = await trx('metadata_items').where({ guid }).update(rest);
      if (updated !== 1) throw new Error(`the target has no item with GUID ${guid}`);
      return;
    }
    case 'deleteItem':
      await trx('metadata_items').where({ guid: step.guid }).delete();
      return;
    case 'putList':
      return putList(trx, step);
    case 'deleteList':
      await trx('validation_list_values').where({ list_guid: step.guid }).delete();
      await trx('validation_lists').where({ guid: step.guid }).delete();
      return;
    case 'setAspects':
      for (const aspect of step.aspects) {
        await trx('package_aspects').where({ vendor_id: aspect.vendorId, aspect_id: aspect.id }).delete();
        if (aspect.uninstall) continue;
        await trx('package_aspects').insert({
          vendor_id: aspect.vendorId,
          aspect_id: aspect.id,
          version: aspect.version,
          vendor_name: aspect.vendorName ?? null,
          installed_by_package: step.packageId,
        });
      }
      return;
  }
}

async function putList(trx: Knex.Transaction, step: Extract<PlanStep, { kind: 'putList' }>): Promise<void> {
  const { guid, name, installedBy } = step.list;
  if (step.exists) {
    await trx('validation_lists').where({ guid }).update({ name, installed_by_package: installedBy });
    await trx('validation_list_values').where({ list_guid: guid }).delete();
  } else {
    await trx('validation_lists').insert({ guid, name, installed_by_package: installedBy });
  }
  if (step.values.length > 0) {
    const rows = step.values.map((value, ordinal) => ({ list_guid: guid, value, ordinal }));
    for (let i = 0; i < rows.length; i += INSERT_BATCH)
      await trx('validation_list_values').insert(rows.slice(i, i + INSERT_BATCH));
  }
}

export function itemRow(item: TargetItem, now: string) {
  return {
    guid: item.guid,
    object_type: item.objectType,
    business_object: item.businessObject,
    name: item.name,
    definition: JSON.stringify(item.definition),
    installed_by_package: item.installedBy,
    updated_at: now,
  };
}
