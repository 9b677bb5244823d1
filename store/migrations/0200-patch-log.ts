import type { Knex } from 'knex';

/**
 * The patch log (docs/packages.md "Patch log"): which package version was applied to which tenant instance, with the
 * checksum that makes a re-apply a no-op and a different package under the same version an error.
 * `packages` holds package documents by content hash, so workflows pass a reference, not content.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('patch_log', (table) => {
    table.bigIncrements('id');
    table.string('instance_key', 255).notNullable();
    table.string('package_id', 100).notNullable();
    table.string('package_version', 64).notNullable();
    table.string('checksum', 64).notNullable();
    table.string('impact', 16).notNullable();
    table.string('mode', 32).notNullable();
    table.integer('changes_applied').notNullable();
    table.string('workflow_id', 255);
    table.string('applied_at', 32).notNullable();
    table.unique(['instance_key', 'package_id', 'package_version']);
  });
  await knex.schema.createTable('packages', (table) => {
    table.string('sha256', 64).primary();
    table.string('package_id', 100).notNullable();
    table.string('package_version', 64).notNullable();
    table.text('content', 'longtext').notNullable();
    table.string('stored_at', 32).notNullable();
    table.index(['package_id', 'package_version']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('packages');
  await knex.schema.dropTable('patch_log');
}
