import type { Knex } from 'knex';

/** The backup a deployment took of a tenant whose metadata was locked, kept for a back-out (docs/mass-deployment-and-promotions.md "Locked targets"). */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('deployment_tenants', (table) => {
    table.integer('backup_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('deployment_tenants', (table) => {
    table.dropColumn('backup_id');
  });
}
