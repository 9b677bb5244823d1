import type { Knex } from 'knex';
import type { FieldSpec, PlanStep } from '../../domain/packages/apply-plan';
import { assertIdentifier } from '../../engines/identifiers';

type SchemaStep = Extract<
  PlanStep,
  { kind: 'createTable' | 'dropTable' | 'addColumn' | 'dropColumn' | 'createIndex' | 'dropIndex' }
>;

const SCHEMA_KINDS = new Set<PlanStep['kind']>([
  'createTable',
  'dropTable',
  'addColumn',
  'dropColumn',
  'createIndex',
  'dropIndex',
]);

export function isSchemaStep(step: PlanStep): step is SchemaStep {
  return SCHEMA_KINDS.has(step.kind);
}

/**
 * DDL through knex's schema builder, so each engine gets its own dialect (SQL Server included);
 * it runs inside the apply's transaction (transactional DDL on all three engines).
 * Identifiers pass the one identifier helper again here, at the point where SQL is built.
 */
export async function executeSchemaStep(trx: Knex.Transaction | Knex, step: SchemaStep): Promise<void> {
  for (const builder of schemaStatements(trx, step)) await builder;
}

/** The statements of a schema step, unexecuted: also used to show the SQL Server dialect. */
export function schemaStatements(
  knex: Knex.Transaction | Knex,
  step: SchemaStep,
): Array<Knex.SchemaBuilder | Knex.Raw> {
  const table = assertIdentifier(step.table, 'business object table');
  switch (step.kind) {
    case 'createTable':
      return [knex.schema.createTable(table, (t) => t.increments('id'))];
    case 'dropTable':
      return [knex.schema.dropTable(table)];
    case 'addColumn': {
      const column = assertIdentifier(step.column, 'stored field column');
      return [knex.schema.alterTable(table, (t) => addColumn(t, column, step.field))];
    }
    case 'dropColumn':
      // Plain DROP COLUMN on every engine: knex would rebuild a SQLite table, which cannot
      // happen inside our transaction; SQLite has had ALTER TABLE DROP COLUMN since 3.35.
      return [knex.raw('alter table ?? drop column ??', [table, assertIdentifier(step.column, 'stored field column')])];
    case 'createIndex': {
      const name = assertIdentifier(step.name, 'index name');
      const columns = step.columns.map((c) => assertIdentifier(c, 'index column'));
      return [
        knex.schema.alterTable(table, (t) =>
          step.unique ? t.unique(columns, { indexName: name }) : t.index(columns, name),
        ),
      ];
    }
    case 'dropIndex': {
      const name = assertIdentifier(step.name, 'index name');
      return [knex.schema.alterTable(table, (t) => t.dropIndex([], name))];
    }
  }
}

function addColumn(t: Knex.AlterTableBuilder, column: string, field: FieldSpec): void {
  // Existing rows have no value for a new column, so it is added nullable whatever the field says.
  columnOf(t, column, field).nullable();
}

function columnOf(t: Knex.AlterTableBuilder, column: string, field: FieldSpec): Knex.ColumnBuilder {
  if (field.dataType === 'string') return t.string(column, field.length ?? 255);
  if (field.dataType === 'decimal') return t.decimal(column, field.precision ?? 18, field.scale ?? 2);
  // The other data types are named after knex's column methods and take no size.
  return t[field.dataType](column);
}
