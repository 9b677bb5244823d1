import type { TrustedKey } from '../domain/decision-signatures';
import type { InstanceRef, Landscape } from '../domain/landscapes';
import type { ReleaseSettingsSpec } from '../domain/release-settings';
import { SchemaDescriptor } from '../domain/tenant-schema';
import type { DatabaseConfig } from './inventory-schema';

export interface CleanupScript {
  name: string;
  sql: string;
}

export interface InstanceConfig {
  tenant: string;
  landscape: Landscape;
  /** As written in the file: `${ENV}` references unresolved, safe to show. */
  database: DatabaseConfig;
  /** Absolute directory. */
  backupLocation: string;
  emailDomain: string;
  metadataLocked: boolean;
  maintenanceMode: boolean;
}

export interface TenantConfig {
  name: string;
  schema: SchemaDescriptor;
  contact?: string;
  /** docs/mass-deployment-and-promotions.md "Waves". */
  tags: string[];
  /** docs/mass-deployment-and-promotions.md "Order": tenants deployed before this one. */
  dependsOn: string[];
  shrinkCapBytes: number;
  cleanupScripts: CleanupScript[];
  instances: Partial<Record<Landscape, InstanceConfig>>;
  /** The tenant's `release` overrides, as written (durations unparsed). */
  release?: ReleaseSettingsSpec;
}

/** A validated inventory. Holds no secret: database passwords are still `${ENV}` references. */
export interface Inventory {
  /** Absolute path of the file it was loaded from. */
  file: string;
  tenants: Record<string, TenantConfig>;
  /** Role name → user names, from the file's `roles` section (absent in hand-built inventories). */
  roles?: Record<string, string[]>;
  /** The top-level `release` defaults, as written. */
  release?: ReleaseSettingsSpec;
  /** Keys whose signed decisions count at every gate; absent: decisions are not authenticated. */
  trustedKeys?: TrustedKey[];
}

/** An inventory problem; the message names the key path (`tenants.demo.instances.uat.database.port`). */
export class InventoryError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message);
    this.name = 'InventoryError';
  }
}

export function tenantOf(inventory: Inventory, tenant: string): TenantConfig {
  const config = inventory.tenants[tenant];
  if (!config) {
    throw new InventoryError(
      `tenant '${tenant}' is not in the inventory ${inventory.file} (known: ${Object.keys(inventory.tenants).join(', ') || 'none'})`,
    );
  }
  return config;
}

export function instanceOf(inventory: Inventory, ref: InstanceRef): InstanceConfig {
  const config = tenantOf(inventory, ref.tenant).instances[ref.landscape];
  if (!config) {
    throw new InventoryError(
      `tenant '${ref.tenant}' has no ${ref.landscape} instance in the inventory ${inventory.file}`,
    );
  }
  return config;
}
