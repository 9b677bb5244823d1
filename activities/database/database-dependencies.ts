import { BackupSummary } from '../../contracts/database';
import type { BackupCatalog, BackupEntry } from '../../store/backup-catalog';
import type { Clock } from '../audit/record-audit-event';
import { nonRetryable, withDatabaseFailures } from '../shared/database-failures';
import type { InventoryTenantDatabases } from '../shared/inventory-tenant-databases';

/** What the database activities need; built once in the worker. */
export interface DatabaseActivityDependencies {
  /** Absent when the worker has no inventory (STAGECOACH_INVENTORY unset). */
  tenantDatabases?: InventoryTenantDatabases;
  catalog: BackupCatalog;
  clock: Clock;
  /** Bytes per second for copies between backup locations; unlimited when absent. */
  copyBandwidthLimit?: number;
}

export function requireDatabases(deps: DatabaseActivityDependencies): InventoryTenantDatabases {
  if (!deps.tenantDatabases) {
    throw nonRetryable(
      'InventoryNotConfigured',
      'this worker has no inventory: set STAGECOACH_INVENTORY to the path of stagecoach.yaml',
    );
  }
  return deps.tenantDatabases;
}

/** An activity body that needs the tenant databases, its failures classified once (withDatabaseFailures). */
export function withTenantDatabases<T>(
  deps: DatabaseActivityDependencies,
  work: (databases: InventoryTenantDatabases) => Promise<T>,
): Promise<T> {
  return withDatabaseFailures(() => work(requireDatabases(deps)));
}

export async function requireBackup(deps: DatabaseActivityDependencies, backupId: number): Promise<BackupEntry> {
  const entry = await deps.catalog.get(backupId);
  if (!entry) throw nonRetryable('BackupNotCataloged', `backup ${backupId} is not in the backup catalog`);
  return entry;
}

/** Catalogs `path` as a copy of `original`: same content, so same SHA-256 and fingerprints. */
export function recordCopy(
  deps: DatabaseActivityDependencies,
  original: BackupEntry,
  path: string,
  workflowId: string,
): Promise<BackupEntry> {
  return deps.catalog.record({
    ...original,
    path,
    copiedFromId: original.id,
    workflowId,
    createdAt: deps.clock.now().toISOString(),
  });
}

export function summarize(entry: BackupEntry): BackupSummary {
  return {
    backupId: entry.id,
    path: entry.path,
    sizeBytes: entry.sizeBytes,
    sha256: entry.sha256,
    tables: entry.fingerprints.length,
    rows: entry.fingerprints.reduce((sum, f) => sum + f.rows, 0),
  };
}
