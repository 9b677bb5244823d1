import type { Knex } from 'knex';

/**
 * Bundles and promotion (docs/mass-deployment-and-promotions.md): bundles of definitions, promotion targets, and the
 * promotion history with what each promotion changed (before-images for back-out) and, for
 * snapshot promotions, the content frozen when they were scheduled.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('bundles', (table) => {
    table.string('name', 100).primary();
    table.string('source_tenant', 64).notNullable();
    table.string('source_landscape', 32).notNullable();
    table.string('description', 1000);
    table.string('created_by', 128).notNullable();
    table.string('created_at', 32).notNullable();
  });
  await knex.schema.createTable('bundle_items', (table) => {
    table.string('bundle_name', 100).notNullable().references('name').inTable('bundles').onDelete('CASCADE');
    table.string('guid', 36).notNullable();
    table.string('object_type', 64).notNullable();
    table.string('business_object', 128);
    table.string('name', 255).notNullable();
    table.string('added_by', 128).notNullable();
    table.string('added_at', 32).notNullable();
    table.primary(['bundle_name', 'guid']);
  });
  await knex.schema.createTable('promotion_targets', (table) => {
    table.string('name', 100).primary();
    table.string('tenant', 64).notNullable();
    table.string('landscape', 32).notNullable();
    table.string('target_user', 128).notNullable();
    table.string('credential_ref', 255).notNullable();
    table.string('created_by', 128).notNullable();
    table.string('created_at', 32).notNullable();
  });
  await knex.schema.createTable('promotions', (table) => {
    table.string('id', 255).primary();
    table.string('bundle_name', 100);
    table.string('target_name', 100).notNullable();
    table.string('source_tenant', 64).notNullable();
    table.string('source_landscape', 32).notNullable();
    table.string('content', 16).notNullable();
    table.string('status', 16).notNullable();
    table.string('requested_by', 128).notNullable();
    table.string('scheduled_for', 32);
    table.string('created_at', 32).notNullable();
    table.string('finished_at', 32);
    table.text('outcome');
    table.index(['finished_at']);
  });
  await knex.schema.createTable('promotion_items', (table) => {
    table.string('promotion_id', 255).notNullable().references('id').inTable('promotions').onDelete('CASCADE');
    table.string('guid', 36).notNullable();
    table.string('object_type', 64).notNullable();
    table.string('business_object', 128);
    table.string('name', 255).notNullable();
    /** The frozen body of a snapshot promotion; null for live ones (read at run time). */
    table.text('definition', 'longtext');
    table.primary(['promotion_id', 'guid']);
  });
  await knex.schema.createTable('promotion_changes', (table) => {
    table.string('promotion_id', 255).notNullable().references('id').inTable('promotions').onDelete('CASCADE');
    table.string('guid', 36).notNullable();
    table.string('action', 16).notNullable();
    /** The item as promoted (JSON). */
    table.text('item', 'longtext').notNullable();
    /** The target row before the promotion (JSON), for updates: what back-out restores. */
    table.text('before_image', 'longtext');
    table.primary(['promotion_id', 'guid']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'promotion_changes',
    'promotion_items',
    'promotions',
    'promotion_targets',
    'bundle_items',
    'bundles',
  ]) {
    await knex.schema.dropTable(table);
  }
}
