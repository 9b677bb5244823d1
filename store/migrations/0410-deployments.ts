import type { Knex } from 'knex';

/**
 * Mass deployments (docs/mass-deployment-and-promotions.md "Mass deployment"): one row per deployment with its counts, one per tenant
 * with its final status and reason, so `deploy status` answers after the workflow has ended.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('deployments', (table) => {
    table.string('id', 255).primary();
    table.string('package_sha256', 64).notNullable();
    table.string('package_id', 100).notNullable();
    table.string('package_version', 64).notNullable();
    table.string('landscape', 32).notNullable();
    table.string('submitter', 128).notNullable();
    table.string('status', 16).notNullable();
    table.integer('total').notNullable();
    table.integer('succeeded').notNullable().defaultTo(0);
    table.integer('failed').notNullable().defaultTo(0);
    table.integer('skipped').notNullable().defaultTo(0);
    table.string('created_at', 32).notNullable();
    table.string('finished_at', 32);
  });
  await knex.schema.createTable('deployment_tenants', (table) => {
    table.string('deployment_id', 255).notNullable().references('id').inTable('deployments').onDelete('CASCADE');
    table.string('tenant', 64).notNullable();
    table.string('status', 16).notNullable();
    table.text('reason');
    table.string('finished_at', 32).notNullable();
    table.primary(['deployment_id', 'tenant']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('deployment_tenants');
  await knex.schema.dropTable('deployments');
}
