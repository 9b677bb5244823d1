import type { Knex } from 'knex';
import { describeStep, type PlanStep, type TargetItem } from '../../packages/apply-plan';
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
}

/** SQL Server allows 2,100 parameters per statement; 7 columns × 250 rows stays under it. */
const INSERT_BATCH = 250;
const DELETE_BATCH = 500;

/**
 * Runs the plan inside the caller's transaction. Consecutive inserts and deletes go in batches;
 * a failing batch is replayed row by row under savepoints to name the change that failed.
 */
export async function executePlan(trx: Knex.Transaction, steps: PlanStep[], options: ExecuteOptions): Promise<void> {
  let index = 0;
  let reported = 0;
  while (index < steps.length) {
    const step = steps[index];
    const run = runOf(steps, index, step.kind === 'insertItem' ? INSERT_BATCH : DELETE_BATCH);
    if (step.kind === 'insertItem' && run.length > 1) await insertBatch(trx, run as InsertStep[], options.now);
    else if (step.kind === 'deleteItem' && run.length > 1) await deleteBatch(trx, run as DeleteStep[]);
    else await executeOne(trx, step, options.now);
    index += step.kind === 'insertItem' || step.kind === 'deleteItem' ? run.length : 1;
    if (index - reported >= 500) {
      options.onProgress?.(index, steps.length);
      reported = index;
    }
  }
  options.onProgress?.(steps.length, steps.length);
}

type InsertStep = Extract<PlanStep, { kind: 'insertItem' }>;
type DeleteStep = Extract<PlanStep, { kind: 'deleteItem' }>;

function runOf(steps: PlanStep[], from: number, limit: number): PlanStep[] {
  const kind = steps[from].kind;
  let to = from;
  while (to < steps.length && to - from < limit && steps[to].kind === kind) to += 1;
  return steps.slice(from, to);
}

async function insertBatch(trx: Knex.Transaction, run: InsertStep[], now: string): Promise<void> {
  try {
    await trx.transaction((savepoint) => savepoint('metadata_items').insert(run.map((s) => itemRow(s.item, now))));
  } catch {
    // The batch is rolled back to its savepoint; find the row at fault so the error names it.
    for (const step of run) await trx.transaction((savepoint) => executeOne(savepoint, step, now));
  }
}

async function deleteBatch(trx: Knex.Transaction, run: DeleteStep[]): Promise<void> {
  try {
    await trx('metadata_items').whereIn('guid', run.map((s) => s.guid)).delete();
  } catch (error) {
    throw new PackageStepError(run[0], error);
  }
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
    for (let i = 0; i < rows.length; i += INSERT_BATCH) await trx('validation_list_values').insert(rows.slice(i, i + INSERT_BATCH));
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
