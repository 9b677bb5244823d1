/**
 * Tenant schema descriptors: which table of a tenant database holds which data class
 * (docs/domain.md). The inventory names one per tenant; the built-in one describes the platform
 * layout that the demo, the tests and the sample data use.
 */
import type { DataClass } from './data-classes';

/** The tables of the built-in `sample-itsm` descriptor (created by dev/sample/tenant-schema.ts). */
export const SAMPLE_TENANT_TABLES: Record<string, DataClass> = {
  tenant_settings: 'settings',
  email_configurations: 'settings',
  api_keys: 'settings',
  cleanup_scripts: 'settings',
  metadata_items: 'metadata',
  validation_lists: 'validation',
  validation_list_values: 'validation',
  applied_packages: 'metadata',
  package_aspects: 'metadata',
  employees: 'master',
  teams: 'master',
  categories: 'master',
  incidents: 'transactional',
  incident_notes: 'transactional',
  change_requests: 'transactional',
  app_log: 'transactional',
};

/** Which data class each table of a tenant database belongs to, and the tables fix-ups touch. */
export interface SchemaDescriptor {
  name: string;
  tables: Record<string, DataClass>;
  emailConfigurationsTable: string;
  apiKeysTable: string;
}

/** Built-in schema descriptors a tenant may name without declaring them. */
export const BUILTIN_SCHEMAS: Record<string, SchemaDescriptor> = {
  'sample-itsm': {
    name: 'sample-itsm',
    tables: SAMPLE_TENANT_TABLES,
    emailConfigurationsTable: 'email_configurations',
    apiKeysTable: 'api_keys',
  },
};

/**
 * The platform's own tables (settings, metadata, validation data, the package bookkeeping) and
 * its log: a package changes their rows, never their schema. Business object tables are the rest.
 */
export function protectedTablesOf(schema: Pick<SchemaDescriptor, 'tables'>): string[] {
  const platform = Object.entries(schema.tables)
    .filter(([, dataClass]) => dataClass !== 'transactional' && dataClass !== 'master')
    .map(([table]) => table);
  return [...platform, 'app_log'];
}
