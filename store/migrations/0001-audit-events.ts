import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_events', (table) => {
    table.bigIncrements('id');
    table.string('occurred_at', 32).notNullable();
    table.string('workflow_id', 255).notNullable();
    table.string('kind', 64).notNullable();
    table.string('actor', 255);
    table.string('subject', 255);
    table.text('detail');
    // Activities retry: the key makes a repeated insert of the same event a no-op.
    table.string('idempotency_key', 255).notNullable().unique();
    table.index(['workflow_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_events');
}
