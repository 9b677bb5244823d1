import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  BACKUP_TYPES,
  type BackupSummary,
  type CopyBackupResult,
  type CopyBackupWorkflowInput,
  type CopyDatabaseInput,
  type CopyDatabaseResult,
  type RefreshTransactionalResult,
  type TransactionalRefreshInput,
} from '../contracts/database';
import { LANDSCAPES, type InstanceRef } from '../domain/landscapes';
const quick = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumInterval: '1 minute', maximumAttempts: 10 },
});

// Long steps heartbeat; a silent worker (crashed, partitioned) is replaced within 10 s and the
// retry resumes from the last heartbeat where the activity supports it (copy, refresh).
const long = proxyActivities<Activities>({
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '10 seconds',
  retry: { maximumInterval: '2 minutes', maximumAttempts: 10 },
});

/**
 * Copies a tenant instance's database to another instance (docs/database-operations.md): obtain a backup by the
 * chosen type, bring it to the target's backup location, restore (never over the source),
 * verify against the catalog, then the post-restore fix-ups and shrink.
 */
export async function copyDatabase(input: CopyDatabaseInput): Promise<CopyDatabaseResult> {
  validate(input);
  const workflowId = workflowInfo().workflowId;
  const source: InstanceRef = { tenant: input.tenant, landscape: input.source };
  const target: InstanceRef = { tenant: input.tenant, landscape: input.target };

  const backup = await obtainBackup(input, source, target, workflowId);
  let copy: CopyBackupResult | undefined;
  let restoredFrom = backup;
  if (input.backupType !== 'alreadyRestored') {
    copy = await long.copyBackupFile({ backupId: backup.backupId, target, workflowId });
    restoredFrom = copy;
    await long.restoreBackup({ backupId: copy.backupId, source, target, workflowId });
  }
  const verified = await long.verifyRestoredDatabase({ backupId: restoredFrom.backupId, target });
  const fixups = input.fixups === false ? undefined : await quick.applyPostRestoreFixups({ source, target });
  const shrink = input.shrink === false ? undefined : await long.shrinkDatabase({ target });
  return {
    backupType: input.backupType,
    backup,
    copy,
    restored: input.backupType !== 'alreadyRestored',
    verified,
    fixups,
    shrink,
  };
}

async function obtainBackup(
  input: CopyDatabaseInput,
  source: InstanceRef,
  target: InstanceRef,
  workflowId: string,
): Promise<BackupSummary> {
  switch (input.backupType) {
    case 'live':
      return long.backupDatabase({ instance: source, workflowId });
    case 'last':
      return quick.findLatestBackup({ instance: source });
    case 'copied':
      return long.findBackupFile({ location: target, fileName: input.fileName!, workflowId });
    case 'alreadyRestored':
      return input.fileName
        ? long.findBackupFile({ location: target, fileName: input.fileName, workflowId })
        : quick.findLatestBackup({ instance: source });
  }
}

function validate(input: CopyDatabaseInput): void {
  const problems: string[] = [];
  if (!(BACKUP_TYPES as readonly string[]).includes(input.backupType))
    problems.push(`backupType must be one of ${BACKUP_TYPES.join(', ')}`);
  for (const key of ['source', 'target'] as const) {
    if (!(LANDSCAPES as readonly string[]).includes(input[key]))
      problems.push(`${key} must be one of ${LANDSCAPES.join(', ')}`);
  }
  if (input.source === input.target)
    problems.push(`source and target are both ${input.source}: a restore never goes over its source`);
  if (input.backupType === 'copied' && !input.fileName)
    problems.push('backupType copied needs fileName (a file in the target backup location)');
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      type: 'InvalidCopyDatabaseInput',
      message: `copyDatabase ${input.tenant}: ${problems.join('; ')}`,
      nonRetryable: true,
    });
  }
}

/** Transactional refresh (docs/database-operations.md "Transactional refresh") as its own workflow, e.g. production → UAT. */
export async function transactionalRefresh(input: TransactionalRefreshInput): Promise<RefreshTransactionalResult> {
  if (input.source === input.target) {
    throw ApplicationFailure.create({
      type: 'InvalidRefresh',
      message: `source and target are both ${input.source}`,
      nonRetryable: true,
    });
  }
  return long.refreshTransactionalData({
    source: { tenant: input.tenant, landscape: input.source },
    target: { tenant: input.tenant, landscape: input.target },
    batchSize: input.batchSize,
  });
}

/** One cataloged backup into another instance's backup location (resumable streaming copy). */
export async function copyBackup(input: CopyBackupWorkflowInput): Promise<CopyBackupResult> {
  return long.copyBackupFile({
    backupId: input.backupId,
    target: { tenant: input.tenant, landscape: input.target },
    workflowId: workflowInfo().workflowId,
  });
}
