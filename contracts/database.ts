import type { InstanceRef, Landscape } from '../domain/landscapes';
/** docs/database-operations.md "Backup types". Wire values: stored in histories of running releases. */
export const BACKUP_TYPES = ['live', 'last', 'copied', 'alreadyRestored'] as const;

export type BackupType = (typeof BACKUP_TYPES)[number];

export interface CopyDatabaseInput {
  tenant: string;
  source: Landscape;
  target: Landscape;
  backupType: BackupType;
  /** `copied`: the file in the target's backup location. `alreadyRestored`: the backup the target was restored from (default: the source's newest). */
  fileName?: string;
  /** Post-restore fix-ups of docs/database-operations.md (email, API key, clean-up scripts); default true. */
  fixups?: boolean;
  /** Shrink to the tenant's size cap afterwards; default true. */
  shrink?: boolean;
}

export interface CopyDatabaseResult {
  backupType: BackupType;
  backup: BackupSummary;
  copy?: CopyBackupResult;
  restored: boolean;
  verified: VerifyDatabaseResult;
  fixups?: PostRestoreFixupsResult;
  shrink?: ShrinkDatabaseResult;
}

export interface TransactionalRefreshInput {
  tenant: string;
  source: Landscape;
  target: Landscape;
  batchSize?: number;
}

export interface StagingRefreshInput {
  tenant: string;
  /** Default `live`: a fresh backup of production each time. */
  backupType?: BackupType;
}

/** What activities return about a backup: a reference and its facts, never a secret. */
export interface BackupSummary {
  backupId: number;
  path: string;
  sizeBytes: number;
  sha256: string;
  tables: number;
  rows: number;
}

export interface CopyBackupResult extends BackupSummary {
  /** Offset this attempt resumed from (0 on a fresh start), and what it read to get there. */
  transfer: Omit<TransferResult, 'sha256'>;
}

export interface PostRestoreFixupsInput {
  source: InstanceRef;
  target: InstanceRef;
}

export interface PostRestoreFixupsResult {
  emailConfigurationsDisabled: number;
  targetEmailDomain: string;
  apiKeysReplaced: number;
  cleanupScriptsRun: string[];
}

export interface ShrinkDatabaseInput {
  target: InstanceRef;
}

export interface ShrinkDatabaseResult {
  capBytes: number;
  sizeBefore: number;
  sizeAfter: number;
  rowsPurged: number;
}

export interface RefreshTransactionalInput {
  source: InstanceRef;
  target: InstanceRef;
  /** Rows per batch; defaults to 5,000. There is no limit on the total. */
  batchSize?: number;
}

export interface RefreshTransactionalResult {
  tables: { table: string; rows: number }[];
  rows: number;
  seconds: number;
}

export interface RestoreBackupInput {
  backupId: number;
  /** The instance the data came from: never restored over. */
  source: InstanceRef;
  target: InstanceRef;
  workflowId: string;
}

export interface RestoreBackupResult {
  /** Engine, host and database name of the target; no credentials. */
  database: string;
  file: string;
}

export interface VerifyDatabaseInput {
  backupId: number;
  target: InstanceRef;
}

export interface VerifyDatabaseResult {
  tables: number;
  rows: number;
}

export interface BackupDatabaseInput {
  instance: InstanceRef;
  /** Names the file: a retry of the same workflow finds its own backup. */
  workflowId: string;
}

export interface FindLatestBackupInput {
  instance: InstanceRef;
}

export interface FindBackupFileInput {
  /** The instance whose backup location holds the file. */
  location: InstanceRef;
  /** A plain file name in that location, e.g. `demo-production-2025-06-01.db`. */
  fileName: string;
  workflowId: string;
}

export interface CopyBackupWorkflowInput {
  backupId: number;
  tenant: string;
  target: Landscape;
}

export interface CopyBackupFileInput {
  backupId: number;
  /** The instance whose backup location receives the copy. */
  target: InstanceRef;
  workflowId: string;
}

export interface TransferProgress {
  /** Bytes of the destination written so far (the offset a retry resumes from). */
  offset: number;
  total: number;
}

export interface TransferResult {
  sha256: string;
  bytes: number;
  /** Bytes read from the source by this attempt: less than `bytes` when it resumed. */
  sourceBytesRead: number;
  /** Bytes of the destination's existing prefix re-read to restore the hash state. */
  rehashedBytes: number;
  resumedFromOffset: number;
}
