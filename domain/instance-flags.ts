/**
 * The instance flags of docs/domain.md as rows of the tenant's `tenant_settings` table (key/value),
 * where the application (and package apply, docs/packages.md) reads them. Values are 'true' / 'false'.
 */
export const INSTANCE_FLAG_KEYS = {
  metadataLocked: 'metadata_locked',
  maintenanceMode: 'maintenance_mode',
} as const;

export type InstanceFlag = keyof typeof INSTANCE_FLAG_KEYS;
