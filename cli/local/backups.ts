import { BackupCatalog, type BackupEntry } from '../../store/backup-catalog';
import { openControlDatabase } from '../../store/control-database';

/** A catalog entry as callers see it: per-table fingerprints are left out (ask for one entry). */
export type BackupListing = Omit<BackupEntry, 'fingerprints'> & { tables: number };

/**
 * Backups of a tenant (optionally one landscape), newest first, read straight from the control
 * database: the catalog outlives the workflows that wrote it, so no server is needed.
 */
export async function listBackups(controlDbUrl: string, tenant: string, landscape?: string): Promise<BackupListing[]> {
  const knex = await openControlDatabase(controlDbUrl);
  try {
    const entries = await new BackupCatalog(knex).listFor(tenant, landscape);
    return entries.map(({ fingerprints, ...entry }) => ({ ...entry, tables: fingerprints.length }));
  } finally {
    await knex.destroy();
  }
}
