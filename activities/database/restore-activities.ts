import fs from 'node:fs';
import {
  RestoreBackupInput,
  RestoreBackupResult,
  VerifyDatabaseInput,
  VerifyDatabaseResult,
} from '../../contracts/database';
import { instanceKey } from '../../domain/landscapes';
import { describeDatabase, sameDatabase } from '../../engines/engine';
import { cancellationSignal, heartbeat, heartbeatProgress } from '../shared/activity-context';
import { scratchDatabaseName } from '../shared/backup-names';
import { nonRetryable } from '../shared/database-failures';
import { sha256OfFile } from '../shared/file-transfer';
import { requireBackup, withTenantDatabases, type DatabaseActivityDependencies } from './database-dependencies';

export function createRestoreActivities(deps: DatabaseActivityDependencies) {
  return {
    /**
     * Restores a cataloged backup into the target (docs/database-operations.md "Restore"): the file's SHA-256 must match the
     * catalog before anything touches the target; the engine restores into a scratch database
     * and swaps it in only when complete.
     */
    async restoreBackup(input: RestoreBackupInput): Promise<RestoreBackupResult> {
      return withTenantDatabases(deps, async (databases) => {
        const entry = await requireBackup(deps, input.backupId);
        const target = databases.connectionFor(input.target);
        const engine = databases.engineFor(input.target);
        if (
          instanceKey(input.source) === instanceKey(input.target) ||
          sameDatabase(databases.connectionFor(input.source), target)
        ) {
          throw nonRetryable(
            'RestoreOverSource',
            `refusing to restore over the source: ${instanceKey(input.target)} is ${describeDatabase(target)}`,
          );
        }
        if (entry.engine !== engine.kind) {
          throw nonRetryable(
            'EngineMismatch',
            `backup ${entry.path} is a ${entry.engine} backup; ${instanceKey(input.target)} runs ${engine.kind}`,
          );
        }
        if (!fs.existsSync(entry.path))
          throw nonRetryable('BackupFileMissing', `backup file ${entry.path} does not exist`);
        const sha256 = await sha256OfFile(entry.path, (done, total) => heartbeat({ step: 'sha256', done, total }));
        if (sha256 !== entry.sha256) {
          throw nonRetryable(
            'BackupChecksumMismatch',
            `backup file ${entry.path} has SHA-256 ${sha256}, the catalog records ${entry.sha256}: it is damaged; ${describeDatabase(target)} was not touched`,
          );
        }
        await engine.verifyBackup(entry.path, { server: target, onProgress: heartbeatProgress('verify backup') });
        await databases.release(input.target);
        await engine.restore(target, entry.path, {
          scratchName: scratchDatabaseName(input.target, input.workflowId),
          onProgress: heartbeatProgress('restore'),
          signal: cancellationSignal(),
        });
        await databases.release(input.target);
        return { database: describeDatabase(target), file: entry.path };
      });
    },

    /** Per-table row counts and checksums of the target equal the catalog's (docs/database-operations.md "Verify"), or a non-retryable failure naming the table. */
    async verifyRestoredDatabase(input: VerifyDatabaseInput): Promise<VerifyDatabaseResult> {
      return withTenantDatabases(deps, async (databases) => {
        const entry = await requireBackup(deps, input.backupId);
        const target = databases.connectionFor(input.target);
        const tables = entry.fingerprints.map((f) => f.table);
        const actual = await databases
          .engineFor(input.target)
          .fingerprints(target, tables, { onProgress: heartbeatProgress('fingerprint') });
        for (const [index, expected] of entry.fingerprints.entries()) {
          const found = actual[index];
          if (found.rows !== expected.rows || found.checksum !== expected.checksum) {
            throw nonRetryable(
              'RestoredDatabaseMismatch',
              `table ${expected.table} in ${describeDatabase(target)} differs from backup ${entry.path}: ` +
                `${found.rows} rows (checksum ${found.checksum}), the catalog records ${expected.rows} rows (checksum ${expected.checksum})`,
            );
          }
        }
        return { tables: tables.length, rows: actual.reduce((sum, f) => sum + f.rows, 0) };
      });
    },
  };
}
