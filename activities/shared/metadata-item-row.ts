/** A row of a tenant's `metadata_items` table (dev/sample/tenant-schema.ts), read by packages and bundles alike. */
export interface MetadataItemRow {
  guid: string;
  object_type: string;
  business_object: string | null;
  name: string;
  definition: string;
  installed_by_package: string | null;
  updated_at: string;
}
