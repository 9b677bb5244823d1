import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { Command, Option } from 'commander';
import { PackageRefusedError } from '../../client';
import { checkPackageFile, validatePackageOnTarget } from '../local/package-checks';
import { PackageLoadError } from '../../domain/packages/load-package';
import { WORKER_ENV, workerSettingsFromEnv } from '../../worker/settings';
import { clientAction, type ClientCall, emit, withExamples } from '../context';
import { CliError, usageError } from '../errors';
import { EXIT } from '../exit-codes';
import { existingFile, parseInstance } from '../parse';
import { controlDbOption, publishPackageFiles } from '../package-files';
import type { DeployPackageInput, PackageReport } from '../../contracts/packages';
import { openControlDatabase } from '../../store/control-database';
import { PackageStore } from '../../store/package-store';

interface TargetOptions {
  target?: string;
  inventory?: string;
  controlDb?: string;
  out?: string;
  compact?: boolean;
}

export function registerPackageCommands(program: Command): void {
  const group = program.command('package').description('configuration packages: validate, preview, apply');
  registerCheck(group, 'validate');
  registerCheck(group, 'preview');
  registerApply(group);
  registerExport(group);
}

const targetOptions = (command: Command) =>
  command
    .option('--target <tenant/landscape>', 'simulate against this instance (reads its database; changes nothing)')
    .addOption(new Option('--inventory <file>', 'stagecoach.yaml naming the instance').env(WORKER_ENV.inventory))
    .addOption(new Option('--control-db <url>', 'control database with the patch log').env(WORKER_ENV.controlDb))
    .option('--compact', 'merge consecutive updates of the same entity first');

function registerCheck(group: Command, kind: 'validate' | 'preview'): void {
  const command = targetOptions(
    group
      .command(kind)
      .argument('<file>', 'package JSON file')
      .description(
        kind === 'validate'
          ? 'check a package (schema, rules, impact; with --target also conflicts and the read-only rule); exit 4 when invalid. No server needed'
          : 'write the proposed changes, warnings and errors on a target to a file; exit 4 when invalid. No server needed',
      ),
  );
  if (kind === 'preview') command.requiredOption('--out <file>', 'where to write the preview JSON');
  command.action(async (file: string, options: TargetOptions, cmd: Command) => {
    if (kind === 'preview' && !options.target) throw usageError('preview needs --target <tenant/landscape>');
    const report = await check(existingFile(file, 'package file'), options);
    emit(cmd, report, renderCheck);
    if ('errorCount' in report && report.errorCount > 0) {
      throw new CliError(
        EXIT.refused,
        `package ${report.packageId}@${report.version} has ${report.errorCount} error(s) on ${report.target}`,
        true,
      );
    }
  });
  withExamples(command, [
    `stagecoach package ${kind} acme-1.4.json${kind === 'preview' ? ' --out preview.json' : ''} --target acme/uat --inventory stagecoach.yaml`,
    ...(kind === 'validate' ? ['stagecoach package validate acme-1.4.json --json | jq .impact'] : []),
  ]);
}

async function check(file: string, options: TargetOptions) {
  try {
    if (!options.target) return checkPackageFile(file);
    const inventoryFile = options.inventory ?? workerSettingsFromEnv().inventoryPath;
    if (!inventoryFile) throw usageError('--target needs the inventory: --inventory <file> or STAGECOACH_INVENTORY');
    return await validatePackageOnTarget(file, {
      target: parseInstance(options.target),
      inventoryFile,
      controlDbUrl: options.controlDb ?? workerSettingsFromEnv().controlDbUrl,
      previewFile: options.out,
      compact: options.compact,
    });
  } catch (error) {
    // A package that does not load is refused, with every problem named.
    if (error instanceof PackageLoadError) throw new CliError(EXIT.refused, error.message);
    // With a target the checks run as the worker's activity runs them, which names its refusals by type.
    if (error instanceof ApplicationFailure && error.type === 'PackageNotFound')
      throw new CliError(EXIT.notFound, error.message);
    if (error instanceof ApplicationFailure && error.nonRetryable) throw new CliError(EXIT.refused, error.message);
    throw error;
  }
}

interface ApplyOptions {
  target: string;
  controlDb?: string;
  backupId?: string;
  compact?: boolean;
}

function registerApply(group: Command): void {
  const command = group
    .command('apply')
    .argument('<file>', 'package JSON file (published into the control database; the worker gets its hash)')
    .description(
      "validate then apply on a target through the worker, under the target's instance lock (one transaction); exit 4 when invalid",
    )
    .requiredOption('--target <tenant/landscape>', 'the instance')
    .addOption(controlDbOption())
    .option('--backup-id <id>', 'backup taken before (required when the target metadata is locked)')
    .option('--compact', 'merge consecutive updates of the same entity first')
    .action(clientAction(applyPackage));
  withExamples(command, [
    'stagecoach package apply acme-1.4.json --target acme/uat',
    'stagecoach package apply acme-1.4.json --target acme/production --backup-id 42 --json',
  ]);
}

async function applyPackage({ client, options, print }: ClientCall<ApplyOptions>, file: string): Promise<void> {
  const input: DeployPackageInput = {
    target: parseInstance(options.target),
    package: (await publishPackageFiles(options.controlDb, [file]))[0],
    backupId: options.backupId,
    compact: options.compact,
  };
  // Invalid, conflicting or refused by the target: nothing was applied.
  const applied = await client.packages.apply(input).catch((error: unknown) => {
    throw error instanceof PackageRefusedError ? new CliError(EXIT.refused, error.message) : error;
  });
  print(
    applied,
    (r) =>
      `${r.applied.packageId}@${r.applied.version} ${r.applied.outcome} on ${r.applied.target} (${r.applied.stepsApplied} steps, impact ${r.applied.impact})`,
  );
}

function renderCheck(report: ReturnType<typeof checkPackageFile> | PackageReport): string {
  if (!('errorCount' in report)) {
    return `${report.packageId}@${report.version} (${report.kind}): valid; impact ${report.impact} (${report.counts.high} high, ${report.counts.medium} medium, ${report.counts.low} low)\n${report.reasons}`;
  }
  const lines = [
    `${report.packageId}@${report.version} on ${report.target}: ${report.outcome}; impact ${report.impact}; ${report.errorCount} error(s), ${report.warningCount} warning(s)`,
  ];
  for (const error of report.errors) lines.push(`  error   ${error}`);
  for (const warning of report.warnings) lines.push(`  warning ${warning}`);
  if (report.previewFile) lines.push(`  preview written to ${report.previewFile}`);
  return lines.join('\n');
}

interface ExportOptions {
  from: string;
  base: string;
  id: string;
  version: string;
  out: string;
  deletions: boolean;
  controlDb?: string;
}

function registerExport(group: Command): void {
  const command = group
    .command('export')
    .description(
      'build the package that makes --base equal --from (everything that differs), through the worker; write it to --out',
    )
    .requiredOption(
      '--from <tenant/landscape>',
      'the instance whose configuration the package carries, e.g. acme/staging',
    )
    .requiredOption('--base <tenant/landscape>', 'the instance it will be applied to, e.g. acme/production (only read)')
    .requiredOption('--id <packageId>', 'the package id')
    .requiredOption('--version <version>', 'the package version')
    .requiredOption('--out <file>', 'where to write the package')
    .option('--no-deletions', 'leave out what --base has and --from does not')
    .addOption(controlDbOption())
    .action(clientAction(exportPackage));
  withExamples(command, [
    'stagecoach package export --from acme/staging --base acme/production --id acme-config --version 1.5 --out acme-1.5.json',
  ]);
}

/** docs/packages.md "Export": the worker publishes the package; the content is fetched here by its hash. */
async function exportPackage({ client, options, print }: ClientCall<ExportOptions>): Promise<void> {
  const exported = await client.packages
    .export({
      source: parseInstance(options.from),
      base: parseInstance(options.base),
      packageId: options.id,
      version: options.version,
      includeDeletions: options.deletions,
    })
    .catch((error: unknown) => {
      throw error instanceof PackageRefusedError ? new CliError(EXIT.refused, error.message) : error;
    });
  const knex = await openControlDatabase(options.controlDb ?? workerSettingsFromEnv().controlDbUrl);
  const content = await new PackageStore(knex).get(exported.package.sha256).finally(() => knex.destroy());
  if (content === undefined)
    throw new CliError(
      EXIT.notFound,
      `package sha256:${exported.package.sha256} is not in the control database given (--control-db): is it the worker's?`,
    );
  const out = path.resolve(options.out);
  fs.writeFileSync(out, content);
  print(
    { ...exported, outputFile: out },
    (r) =>
      `${r.packageId}@${r.version}: ${r.changes} change(s), impact ${r.impact}, sha256 ${r.package.sha256}; written to ${out}` +
      (r.secretsStripped
        ? `\n${r.secretsStripped.length} clear-text secret(s) left out; supply each as a reference (\${ENV_NAME} or vault:<path>):\n  ${r.secretsStripped.join('\n  ')}`
        : ''),
  );
}
