import fs from 'node:fs';
import path from 'node:path';
import type {
  BackupDatabaseInput,
  BackupSummary,
  FindBackupFileInput,
  FindLatestBackupInput,
} from '../../contracts/database';
import { cancellationSignal, heartbeat, heartbeatProgress } from '../shared/activity-context';
import { backupFileName, isPlainFileName } from '../shared/backup-names';
import { nonRetryable, withDatabaseFailures } from '../shared/database-failures';
import { sha256OfFile } from '../shared/file-transfer';
import {
  recordCopy,
  requireDatabases,
  summarize,
  withTenantDatabases,
  type DatabaseActivityDependencies,
} from './database-dependencies';

/**
 * Backup types `live`, `last` and `copied` (docs/database-operations.md "Backup types"), each ending in a cataloged file.
 * `live` is the one backup type that writes a new file.
 */
export function createLiveBackupActivities(deps: DatabaseActivityDependencies) {
  return {
    /** `live`: a backup now, cataloged with its SHA-256 and the fingerprints of its data. */
    async backupDatabase(input: BackupDatabaseInput): Promise<BackupSummary> {
      return withTenantDatabases(deps, async (databases) => {
        const instance = databases.instance(input.instance);
        const engine = databases.engineFor(input.instance);
        const file = path.join(instance.backupLocation, backupFileName(input.instance, input.workflowId, engine.kind));
        const existing = await deps.catalog.findByPath(file);
        if (existing && fs.existsSync(file) && fs.statSync(file).size === existing.sizeBytes)
          return summarize(existing);

        const tables = Object.keys(databases.tenant(input.instance.tenant).schema.tables);
        const connection = databases.connectionFor(input.instance);
        const result = await engine.backup(connection, file, {
          fingerprintTables: tables,
          onProgress: heartbeatProgress('backup'),
          signal: cancellationSignal(),
        });
        const fingerprints =
          result.fingerprints ??
          (await engine.fingerprints(connection, tables, { onProgress: heartbeatProgress('fingerprint') }));
        const sha256 = await sha256OfFile(file, (done, total) => heartbeat({ step: 'sha256', done, total }));
        const entry = await deps.catalog.record({
          path: file,
          engine: engine.kind,
          sizeBytes: result.bytes,
          sha256,
          fingerprints,
          tenant: input.instance.tenant,
          landscape: input.instance.landscape,
          workflowId: input.workflowId,
          createdAt: deps.clock.now().toISOString(),
        });
        return summarize(entry);
      });
    },
  };
}

/** `last` and `copied`: a backup file that already exists, found in the catalog. */
export function createBackupLookupActivities(deps: DatabaseActivityDependencies) {
  return {
    /** `last`: the newest cataloged backup of the instance whose file still exists. */
    async findLatestBackup(input: FindLatestBackupInput): Promise<BackupSummary> {
      return withTenantDatabases(deps, async (databases) => {
        const engine = databases.engineFor(input.instance);
        const entries = await deps.catalog.listFor(input.instance.tenant, input.instance.landscape);
        const usable = entries.find((e) => e.engine === engine.kind && fs.existsSync(e.path));
        if (!usable) {
          throw nonRetryable(
            'NoBackupFound',
            `no cataloged ${engine.kind} backup of ${input.instance.tenant}/${input.instance.landscape} exists on disk`,
          );
        }
        return summarize(usable);
      });
    },

    /**
     * `copied`: a file someone put in a backup location. Known by its path, or by its content
     * (SHA-256) when it is a hand-made copy of a cataloged backup; an unknown file cannot be
     * verified and is refused.
     */
    async findBackupFile(input: FindBackupFileInput): Promise<BackupSummary> {
      return withDatabaseFailures(async () => {
        if (!isPlainFileName(input.fileName)) {
          throw nonRetryable(
            'InvalidBackupFileName',
            `backup file name ${JSON.stringify(input.fileName)} must be a plain file name, not a path`,
          );
        }
        const location = requireDatabases(deps).instance(input.location).backupLocation;
        const file = path.join(location, input.fileName);
        if (!fs.existsSync(file)) throw nonRetryable('BackupFileMissing', `backup file ${file} does not exist`);
        const known = await deps.catalog.findByPath(file);
        if (known) return summarize(known);
        const sha256 = await sha256OfFile(file, (done, total) => heartbeat({ step: 'sha256', done, total }));
        const original = (await deps.catalog.findBySha256(sha256))[0];
        if (!original) {
          throw nonRetryable(
            'BackupNotCataloged',
            `backup file ${file} is not in the catalog (no cataloged backup has SHA-256 ${sha256}); it cannot be verified`,
          );
        }
        return summarize(await recordCopy(deps, original, file, input.workflowId));
      });
    },
  };
}
