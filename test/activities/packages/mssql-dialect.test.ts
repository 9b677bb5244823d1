import knexFactory from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { planStatements } from '../../../activities/packages/plan-sql';
import { applyOrder } from '../../../domain/packages/master-order';
import { simulate } from '../../../domain/packages/simulation';
import { change, form, guid, incremental } from '../../support/packages/package-builders';

// No SQL Server runs here: knex generates its dialect, which is what the worker sends to one.
const mssql = knexFactory({ client: 'mssql' });
afterAll(() => mssql.destroy());

describe('package apply in the SQL Server dialect', () => {
  it('generates T-SQL with bracket-quoted identifiers, escaped values and SQL Server DDL', () => {
    const pkg = incremental('acme-assets', '1', [
      change(1, {
        operation: 'C',
        objectType: 'BusinessObject',
        entityName: 'Asset',
        schemaChange: true,
        data: { table: 'assets' },
      }),
      change(2, {
        operation: 'C',
        objectType: 'Field',
        businessObject: 'Asset',
        entityName: 'serial',
        schemaChange: true,
        data: { dataType: 'string', length: 64 },
      }),
      change(3, {
        operation: 'C',
        objectType: 'Index',
        businessObject: 'Asset',
        entityName: 'ix_assets_serial',
        schemaChange: true,
        data: { columns: ['serial'], unique: true },
      }),
      form(4, "O'Brien Form"),
      change(5, {
        operation: 'D',
        objectType: 'Index',
        businessObject: 'Asset',
        entityName: 'ix_assets_serial',
        guid: guid(3),
        schemaChange: true,
      }),
      change(6, {
        operation: 'D',
        objectType: 'Field',
        businessObject: 'Asset',
        entityName: 'serial',
        guid: guid(2),
        schemaChange: true,
      }),
    ]);
    const { steps, issues } = simulate(
      { items: [], lists: [], tables: {}, protectedTables: [] },
      applyOrder(pkg, { landscape: 'uat', settings: {}, aspects: [] }).units,
    );
    expect(issues).toEqual([]);
    const sql = planStatements(mssql, steps, '2026-02-01T00:00:00.000Z');
    expect(sql).toContain('CREATE TABLE [assets] ([id] int identity(1,1) not null primary key)');
    expect(sql).toContain('ALTER TABLE [assets] ADD [serial] nvarchar(64) null');
    expect(sql).toContain('CREATE UNIQUE INDEX [ix_assets_serial] ON [assets] ([serial]) WHERE [serial] IS NOT NULL');
    expect(sql).toContain(
      "insert into [metadata_items] ([business_object], [definition], [guid], [installed_by_package], [name], [object_type], [updated_at]) values ('Incident', '{\"layout\":\"O''Brien Form\"}', '00000000-0000-4000-8000-000000000004', 'acme-assets', 'O''Brien Form', 'Form', '2026-02-01T00:00:00.000Z')",
    );
    expect(sql.find((s) => s.includes('DROP INDEX'))).toBe('DROP INDEX [ix_assets_serial] ON [assets]');
    expect(sql).toContain('alter table [assets] drop column [serial]');
    expect(sql.filter((s) => s.startsWith('delete from [metadata_items]'))).toEqual([
      `delete from [metadata_items] where [guid] = '${guid(3)}';select @@rowcount`,
      `delete from [metadata_items] where [guid] = '${guid(2)}';select @@rowcount`,
    ]);
  });
});
