import type { Knex } from 'knex';

/** Creates the sample schema in an empty database; portable across SQLite, PostgreSQL, SQL Server. */
export async function createSampleTenantSchema(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenant_settings', (t) => {
    // Flags such as metadata_locked and maintenance_mode live here, honored by the application.
    t.string('key', 128).primary();
    t.string('value', 1024).notNullable();
  });
  await knex.schema.createTable('email_configurations', (t) => {
    t.increments('id');
    t.string('name', 128).notNullable().unique();
    t.string('mailbox', 255).notNullable();
    t.string('domain', 255).notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
  });
  await knex.schema.createTable('api_keys', (t) => {
    t.increments('id');
    t.string('label', 128).notNullable();
    // Unique per tenant instance: never copied between instances (docs/domain.md "Tenants and instances").
    t.string('key_hash', 128).notNullable().unique();
    t.string('created_at', 32).notNullable();
  });
  await knex.schema.createTable('cleanup_scripts', (t) => {
    t.increments('id');
    t.integer('run_order').notNullable();
    t.string('name', 128).notNullable();
    /** One SQL statement run after a restore (docs/database-operations.md "Post-restore fix-ups"). */
    t.text('statement').notNullable();
  });
  await knex.schema.createTable('metadata_items', (t) => {
    t.string('guid', 36).primary();
    t.string('object_type', 64).notNullable();
    t.string('business_object', 128);
    t.string('name', 255).notNullable();
    t.text('definition').notNullable();
    /** Package id that installed the item; null when the tenant created it itself. */
    t.string('installed_by_package', 255);
    t.string('updated_at', 32).notNullable();
    t.unique(['object_type', 'business_object', 'name']);
  });
  await knex.schema.createTable('validation_lists', (t) => {
    t.string('guid', 36).primary();
    t.string('name', 128).notNullable().unique();
    /** Package id that installed the list; null when the tenant created it (overwrite mode). */
    t.string('installed_by_package', 255);
  });
  await knex.schema.createTable('validation_list_values', (t) => {
    t.increments('id');
    t.string('list_guid', 36).notNullable().references('guid').inTable('validation_lists');
    t.string('value', 255).notNullable();
    t.integer('ordinal').notNullable();
  });
  await knex.schema.createTable('applied_packages', (t) => {
    // Written in the same transaction as the package's changes: a retried apply finds it.
    t.string('package_id', 100).notNullable();
    t.string('package_version', 64).notNullable();
    t.string('checksum', 64).notNullable();
    t.string('applied_at', 32).notNullable();
    t.primary(['package_id', 'package_version']);
  });
  await knex.schema.createTable('package_aspects', (t) => {
    // Flags a feature's presence (docs/packages.md "Aspects"); packages add and remove them.
    t.string('vendor_id', 128).notNullable();
    t.string('aspect_id', 128).notNullable();
    t.integer('version').notNullable();
    t.string('vendor_name', 255);
    t.string('installed_by_package', 100).notNullable();
    t.primary(['vendor_id', 'aspect_id']);
  });
  await knex.schema.createTable('employees', (t) => {
    t.increments('id');
    t.string('login', 128).notNullable().unique();
    t.string('display_name', 255).notNullable();
    t.string('email', 255).notNullable();
  });
  await knex.schema.createTable('teams', (t) => {
    t.increments('id');
    t.string('name', 128).notNullable().unique();
  });
  await knex.schema.createTable('categories', (t) => {
    t.increments('id');
    t.string('name', 128).notNullable().unique();
  });
  await knex.schema.createTable('incidents', (t) => {
    t.bigIncrements('id');
    t.string('subject', 255).notNullable();
    t.text('description');
    t.string('status', 32).notNullable();
    t.integer('priority').notNullable();
    t.integer('category_id');
    t.integer('owner_id');
    t.string('created_at', 32).notNullable();
  });
  await knex.schema.createTable('incident_notes', (t) => {
    t.bigIncrements('id');
    t.bigInteger('incident_id').notNullable();
    t.text('body').notNullable();
    t.string('created_at', 32).notNullable();
  });
  await knex.schema.createTable('change_requests', (t) => {
    t.bigIncrements('id');
    t.string('title', 255).notNullable();
    t.string('risk', 16).notNullable();
    t.string('status', 32).notNullable();
    t.string('created_at', 32).notNullable();
  });
  await knex.schema.createTable('app_log', (t) => {
    t.bigIncrements('id');
    t.string('logged_at', 32).notNullable();
    t.string('level', 16).notNullable();
    /** `configuration` entries at level `error` block acceptance (docs/releases.md "Acceptance"). */
    t.string('category', 64).notNullable();
    t.text('message').notNullable();
  });
}
