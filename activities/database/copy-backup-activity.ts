import fs from 'node:fs';
import path from 'node:path';
import type { CopyBackupFileInput, CopyBackupResult } from '../../contracts/database';
import { cancellationSignal, heartbeat, lastHeartbeat } from '../shared/activity-context';
import { nonRetryable, withDatabaseFailures } from '../shared/database-failures';
import { copyWithSha256 } from '../shared/file-transfer';
import {
  recordCopy,
  requireBackup,
  requireDatabases,
  summarize,
  type DatabaseActivityDependencies,
} from './database-dependencies';

/** Heartbeat details: the first `offset` bytes of `partial` are a good copy. */
interface CopyCheckpoint {
  partial: string;
  offset: number;
  total: number;
}

/**
 * Streams a cataloged backup into another backup location, hashing while copying (docs/database-operations.md "Copy").
 * Heartbeats carry the offset written; after a worker crash the retry continues from there.
 */
export function createCopyBackupActivity(deps: DatabaseActivityDependencies) {
  return {
    async copyBackupFile(input: CopyBackupFileInput): Promise<CopyBackupResult> {
      return withDatabaseFailures(async () => {
        const entry = await requireBackup(deps, input.backupId);
        const location = requireDatabases(deps).instance(input.target).backupLocation;
        const destination = path.join(location, entry.fileName);
        const unchanged = { sourceBytesRead: 0, rehashedBytes: 0, resumedFromOffset: 0, bytes: entry.sizeBytes };
        if (path.resolve(destination) === path.resolve(entry.path)) return { ...summarize(entry), transfer: unchanged };
        const done = await deps.catalog.findByPath(destination);
        if (done && done.sha256 === entry.sha256 && fs.existsSync(destination))
          return { ...summarize(done), transfer: unchanged };
        if (!fs.existsSync(entry.path))
          throw nonRetryable('BackupFileMissing', `backup file ${entry.path} does not exist`);

        fs.mkdirSync(location, { recursive: true });
        const partial = `${destination}.partial`;
        const checkpoint = lastHeartbeat<CopyCheckpoint>();
        const transfer = await copyWithSha256(entry.path, partial, {
          resumeOffset: checkpoint?.partial === partial ? checkpoint.offset : 0,
          onProgress: ({ offset, total }) => heartbeat({ partial, offset, total } satisfies CopyCheckpoint),
          bandwidthLimit: deps.copyBandwidthLimit,
          signal: cancellationSignal(),
        });
        if (transfer.sha256 !== entry.sha256) {
          fs.rmSync(partial, { force: true });
          throw nonRetryable(
            'BackupChecksumMismatch',
            `copy of ${entry.path} to ${destination} has SHA-256 ${transfer.sha256}, the catalog records ${entry.sha256}: the source file changed or is damaged`,
          );
        }
        fs.renameSync(partial, destination);
        const copy = await recordCopy(deps, entry, destination, input.workflowId);
        const { bytes, sourceBytesRead, rehashedBytes, resumedFromOffset } = transfer;
        return { ...summarize(copy), transfer: { bytes, sourceBytesRead, rehashedBytes, resumedFromOffset } };
      });
    },
  };
}
