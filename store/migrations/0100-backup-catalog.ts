import type { Knex } from 'knex';

/**
 * The backup catalog (docs/database-operations.md "Backup"): every backup file and every copy of one, with what verification
 * compares a restored database against (size, SHA-256, per-table row counts and checksums).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('backup_catalog', (table) => {
    table.bigIncrements('id');
    // SHA-256 of the absolute path: unique on every engine (SQL Server indexes at most 900 bytes).
    table.string('path_key', 64).notNullable().unique();
    table.string('path', 1024).notNullable();
    table.string('file_name', 255).notNullable();
    table.string('location', 1024).notNullable();
    table.string('engine', 16).notNullable();
    table.bigInteger('size_bytes').notNullable();
    table.string('sha256', 64).notNullable();
    table.text('fingerprints').notNullable();
    table.string('tenant', 64).notNullable();
    table.string('landscape', 32).notNullable();
    table.string('workflow_id', 255).notNullable();
    table.bigInteger('copied_from_id');
    table.string('created_at', 32).notNullable();
    table.index(['tenant', 'landscape', 'created_at']);
    table.index(['sha256']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('backup_catalog');
}
