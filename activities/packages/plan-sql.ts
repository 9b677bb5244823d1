import type { Knex } from 'knex';
import type { PlanStep } from '../../domain/packages/apply-plan';
import { itemRow } from './plan-executor';
import { isSchemaStep, schemaStatements } from './schema-executor';

/**
 * The plan as plain SQL text in a knex dialect, one statement list per step, values inlined by
 * knex. Shows what SQL Server would run (no server needed) and gives the benchmark its baseline.
 * Executing a plan never goes through here: executePlan binds every value.
 */
export function planStatements(knex: Knex, steps: PlanStep[], now: string): string[] {
  return steps.flatMap((step) => stepStatements(knex, step, now));
}

function stepStatements(knex: Knex, step: PlanStep, now: string): string[] {
  if (isSchemaStep(step)) return schemaStatements(knex, step).map((builder) => builder.toString());
  switch (step.kind) {
    case 'insertItem':
      return [knex('metadata_items').insert(itemRow(step.item, now)).toString()];
    case 'replaceItem': {
      const { guid, ...rest } = itemRow(step.item, now);
      return [knex('metadata_items').where({ guid }).update(rest).toString()];
    }
    case 'deleteItem':
      return [knex('metadata_items').where({ guid: step.guid }).delete().toString()];
    case 'putList': {
      const { guid, name, installedBy } = step.list;
      const values = step.values.map((value, ordinal) =>
        knex('validation_list_values').insert({ list_guid: guid, value, ordinal }).toString(),
      );
      const head = step.exists
        ? [
            knex('validation_lists').where({ guid }).update({ name, installed_by_package: installedBy }).toString(),
            knex('validation_list_values').where({ list_guid: guid }).delete().toString(),
          ]
        : [knex('validation_lists').insert({ guid, name, installed_by_package: installedBy }).toString()];
      return [...head, ...values];
    }
    case 'deleteList':
      return [
        knex('validation_list_values').where({ list_guid: step.guid }).delete().toString(),
        knex('validation_lists').where({ guid: step.guid }).delete().toString(),
      ];
    case 'setAspects':
      return step.aspects.flatMap((a) => [
        knex('package_aspects').where({ vendor_id: a.vendorId, aspect_id: a.id }).delete().toString(),
        ...(a.uninstall
          ? []
          : [
              knex('package_aspects')
                .insert({
                  vendor_id: a.vendorId,
                  aspect_id: a.id,
                  version: a.version,
                  vendor_name: a.vendorName ?? null,
                  installed_by_package: step.packageId,
                })
                .toString(),
            ]),
      ]);
  }
}
