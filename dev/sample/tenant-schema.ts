import type { Knex } from 'knex';

type TableDefinition = (t: Knex.CreateTableBuilder) => void;

/** Settings the restore fix-ups rewrite (docs/database-operations.md "Post-restore fix-ups"). */
const SETTINGS_TABLES: Record<string, TableDefinition> = {
  tenant_settings: (t) => {
    // Flags such as metadata_locked and maintenance_mode live here, honored by the application.
    t.string('key', 128).primary();
    t.string('value', 1024).notNullable();
  },
  email_configurations: (t) => {
    t.increments('id');
    t.string('name', 128).notNullable().unique();
    requiredStrings(t, { mailbox: 255, domain: 255 });
    t.boolean('enabled').notNullable().defaultTo(true);
  },
  api_keys: (t) => {
    t.increments('id');
    t.string('label', 128).notNullable();
    // Unique per tenant instance: never copied between instances (docs/domain.md "Tenants and instances").
    t.string('key_hash', 128).notNullable().unique();
    t.string('created_at', 32).notNullable();
  },
  cleanup_scripts: (t) => {
    t.increments('id');
    t.integer('run_order').notNullable();
    t.string('name', 128).notNullable();
    /** One SQL statement run after a restore (docs/database-operations.md "Post-restore fix-ups"). */
    t.text('statement').notNullable();
  },
};

/** What packages change (docs/packages.md), and their own bookkeeping. */
const METADATA_TABLES: Record<string, TableDefinition> = {
  metadata_items: (t) => {
    t.string('guid', 36).primary();
    t.string('object_type', 64).notNullable();
    t.string('business_object', 128);
    t.string('name', 255).notNullable();
    t.text('definition').notNullable();
    /** Package id that installed the item; null when the tenant created it itself. */
    t.string('installed_by_package', 255);
    t.string('updated_at', 32).notNullable();
    t.unique(['object_type', 'business_object', 'name']);
  },
  validation_lists: (t) => {
    t.string('guid', 36).primary();
    t.string('name', 128).notNullable().unique();
    /** Package id that installed the list; null when the tenant created it (overwrite mode). */
    t.string('installed_by_package', 255);
  },
  validation_list_values: (t) => {
    t.increments('id');
    t.string('list_guid', 36).notNullable().references('guid').inTable('validation_lists');
    t.string('value', 255).notNullable();
    t.integer('ordinal').notNullable();
  },
  applied_packages: (t) => {
    // Written in the same transaction as the package's changes: a retried apply finds it.
    requiredStrings(t, { package_id: 100, package_version: 64, checksum: 64, applied_at: 32 });
    t.primary(['package_id', 'package_version']);
  },
  package_aspects: (t) => {
    // Flags a feature's presence (docs/packages.md "Aspects"); packages add and remove them.
    requiredStrings(t, { vendor_id: 128, aspect_id: 128 });
    t.integer('version').notNullable();
    t.string('vendor_name', 255);
    t.string('installed_by_package', 100).notNullable();
    t.primary(['vendor_id', 'aspect_id']);
  },
};

/** The business object tables: master data, then transactional data and the log. */
const BUSINESS_TABLES: Record<string, TableDefinition> = {
  employees: (t) => {
    t.increments('id');
    t.string('login', 128).notNullable().unique();
    requiredStrings(t, { display_name: 255, email: 255 });
  },
  teams: (t) => {
    t.increments('id');
    t.string('name', 128).notNullable().unique();
  },
  categories: (t) => {
    t.increments('id');
    t.string('name', 128).notNullable().unique();
  },
  incidents: (t) => {
    t.bigIncrements('id');
    t.string('subject', 255).notNullable();
    t.text('description');
    t.string('status', 32).notNullable();
    t.integer('priority').notNullable();
    t.integer('category_id');
    t.integer('owner_id');
    t.string('created_at', 32).notNullable();
  },
  incident_notes: (t) => {
    t.bigIncrements('id');
    t.bigInteger('incident_id').notNullable();
    t.text('body').notNullable();
    t.string('created_at', 32).notNullable();
  },
  change_requests: (t) => {
    t.bigIncrements('id');
    requiredStrings(t, { title: 255, risk: 16, status: 32, created_at: 32 });
  },
  app_log: (t) => {
    t.bigIncrements('id');
    requiredStrings(t, { logged_at: 32, level: 16 });
    /** `configuration` entries at level `error` block acceptance (docs/releases.md "Acceptance"). */
    t.string('category', 64).notNullable();
    t.text('message').notNullable();
  },
};

/**
 * Creates the sample schema in an empty database; portable across SQLite, PostgreSQL, SQL Server.
 * Tables are created in the order listed (validation_list_values references validation_lists).
 */
export async function createSampleTenantSchema(knex: Knex): Promise<void> {
  for (const [name, define] of Object.entries({ ...SETTINGS_TABLES, ...METADATA_TABLES, ...BUSINESS_TABLES })) {
    await knex.schema.createTable(name, define);
  }
}

/** NOT NULL string columns, name → length, in the order given. */
function requiredStrings(table: Knex.TableBuilder, lengths: Record<string, number>): void {
  for (const [name, length] of Object.entries(lengths)) table.string(name, length).notNullable();
}
