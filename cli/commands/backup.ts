import { Command, Option } from 'commander';
import { listBackups, type BackupListing } from '../local/backups';
import { LANDSCAPES } from '../../domain/landscapes';
import { WORKER_ENV, workerSettingsFromEnv } from '../../worker/settings';
import { emit, withExamples } from '../context';
import { formatBytes } from '../format';

export function registerBackupCommands(program: Command): void {
  const group = program.command('backup').description('the backup catalog of the control database');
  const command = group
    .command('list')
    .description('backups of a tenant, newest first (reads the control database; no server needed)')
    .requiredOption('--tenant <name>', 'the tenant')
    .addOption(new Option('--landscape <landscape>', 'only backups taken from this landscape').choices(LANDSCAPES))
    .addOption(
      new Option('--control-db <url>', 'SQLite file, postgres://… or mssql://… (default .stagecoach/control.db)').env(
        WORKER_ENV.controlDb,
      ),
    )
    .action(async (options: { tenant: string; landscape?: string; controlDb?: string }, command: Command) => {
      const controlDb = options.controlDb ?? workerSettingsFromEnv().controlDbUrl;
      const backups = await listBackups(controlDb, options.tenant, options.landscape);
      emit(command, backups, (all) =>
        all.length ? all.map(renderBackup).join('\n') : `No backups of ${options.tenant} are cataloged.`,
      );
    });
  withExamples(command, [
    'stagecoach backup list --tenant acme',
    'stagecoach backup list --tenant acme --landscape production --json | jq ".[0].path"',
    'stagecoach backup list --tenant acme --control-db postgres://stagecoach@db/stagecoach',
  ]);
}

function renderBackup(backup: BackupListing): string {
  const copied = backup.copiedFromId ? `  copy of #${backup.copiedFromId}` : '';
  return (
    `#${backup.id}  ${backup.createdAt}  ${backup.tenant}/${backup.landscape}  ${formatBytes(backup.sizeBytes)}  ` +
    `sha256 ${backup.sha256.slice(0, 12)}…  ${backup.path}  (${backup.workflowId})${copied}`
  );
}
