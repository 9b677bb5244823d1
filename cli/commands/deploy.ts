import { Command, Option } from 'commander';
import { DeploymentError, type StagecoachClient } from '../../client';
import { publishPackageFile } from '../local/publish-package';
import { LANDSCAPES, type Landscape } from '../../domain/landscapes';
import { PackageLoadError } from '../../domain/packages/load-package';
import type { DeploymentStatus } from '../../contracts/deployments';
import { WORKER_ENV, workerSettingsFromEnv } from '../../worker/settings';
import { emit, globalOptions, withClient, withExamples } from '../context';
import { CliError, usageError } from '../errors';
import { EXIT } from '../exit-codes';
import { collect, parsePositiveInteger } from '../parse';
import { ProgressDisplay, progressEnabled } from '../progress';

interface StartOptions {
  package?: string;
  packageSha256?: string;
  controlDb?: string;
  landscape: Landscape;
  tenant?: string[];
  concurrency: number;
  at?: string;
  notify?: boolean;
  submitter: string;
  wait?: boolean;
}

export function registerDeployCommands(program: Command): void {
  const group = program.command('deploy').description('mass deployment of one package to many tenants');
  registerStart(group);
  registerStatus(group);
  registerWait(group);
  registerCancel(group);
}

function registerStart(group: Command): void {
  const command = group
    .command('start')
    .description(
      'deploy a package to all (or selected) tenants, now or at a date; --wait follows it with a tenants bar',
    )
    .option('--package <file>', 'publish this package file into the control database, then deploy it')
    .option('--package-sha256 <hash>', 'deploy a package already published')
    .addOption(
      new Option('--control-db <url>', 'control database the worker uses (for --package)').env(WORKER_ENV.controlDb),
    )
    .addOption(
      new Option('--landscape <landscape>', 'instances to deploy to').choices(LANDSCAPES).default('production'),
    )
    .option('--tenant <names>', 'only these tenants (repeat or comma-separate)', collect)
    .option('--concurrency <n>', 'tenants at the same time', parsePositiveInteger, 10)
    .option('--at <iso>', 'start at this date and time')
    .option('--notify', "mail each tenant's contact when its deployment succeeded")
    .addOption(
      new Option('--submitter <user>', 'who asks; gets the summary').env('STAGECOACH_USER').makeOptionMandatory(),
    )
    .option('--wait', 'follow it to the end (exit 5 when a tenant failed)')
    .action((options: StartOptions, command: Command) =>
      withClient(command, async (client) => {
        const packageSha256 = await packageHash(options);
        const deploymentId = await client.deployments.start({
          packageSha256,
          landscape: options.landscape,
          concurrency: options.concurrency,
          submitter: options.submitter,
          ...(options.tenant ? { tenants: options.tenant } : {}),
          ...(options.at ? { scheduledFor: options.at } : {}),
          ...(options.notify ? { notifyTenants: true } : {}),
        });
        if (options.wait) return follow(client, command, deploymentId);
        emit(
          command,
          { deploymentId, packageSha256 },
          () => `Started ${deploymentId}; follow it with 'stagecoach deploy wait ${deploymentId}'`,
        );
      }),
    );
  withExamples(command, [
    'stagecoach deploy start --package forms-1.2.json --submitter rita --wait',
    'stagecoach deploy start --package-sha256 3f2a… --tenant acme,globex --at 2026-12-05T22:00:00Z --submitter rita --json',
  ]);
}

async function packageHash(options: StartOptions): Promise<string> {
  if (!options.package === !options.packageSha256)
    throw usageError('give either --package <file> or --package-sha256 <hash>');
  if (options.packageSha256) return options.packageSha256;
  try {
    return (await publishPackageFile(options.controlDb ?? workerSettingsFromEnv().controlDbUrl, options.package!))
      .sha256;
  } catch (error) {
    if (error instanceof PackageLoadError) throw usageError(error.message);
    throw error;
  }
}

function registerStatus(group: Command): void {
  const command = group
    .command('status')
    .argument('<deploymentId>')
    .description('counts, the tenants running now, failures with reasons; --tenant for one tenant')
    .option('--tenant <name>', 'one tenant: pending, running, succeeded, failed or skipped (with the reason)')
    .action((deploymentId: string, options: { tenant?: string }, command: Command) =>
      withClient(command, async (client) => {
        if (options.tenant) {
          const status = await client.deployments.tenantStatus(deploymentId, options.tenant);
          if (!status) throw new CliError(EXIT.notFound, `${options.tenant} is not part of ${deploymentId}`);
          emit(command, status, (s) => `${s.tenant}: ${s.status}${s.reason ? ` (${s.reason})` : ''}`);
          return;
        }
        emit(command, await client.deployments.status(deploymentId), renderDeployment);
      }),
    );
  withExamples(command, [
    'stagecoach deploy status deployment/3f2a…/…',
    'stagecoach deploy status deployment/3f2a…/… --tenant acme --json',
  ]);
}

function registerWait(group: Command): void {
  const command = group
    .command('wait')
    .argument('<deploymentId>')
    .description('follow a deployment to its end with a tenants bar; exit 0 all succeeded, 5 when a tenant failed')
    .action((deploymentId: string, _options: unknown, command: Command) =>
      withClient(command, (client) => follow(client, command, deploymentId)),
    );
  withExamples(command, ['stagecoach deploy wait deployment/3f2a…/…']);
}

function registerCancel(group: Command): void {
  const command = group
    .command('cancel')
    .argument('<deploymentId>')
    .description('stop launching tenants: running ones finish, the rest are skipped with the reason')
    .addOption(new Option('--user <user>', 'who cancels').env('STAGECOACH_USER').makeOptionMandatory())
    .requiredOption('--reason <text>', 'why; recorded for every skipped tenant')
    .action((deploymentId: string, options: { user: string; reason: string }, command: Command) =>
      withClient(command, async (client) => {
        await client.deployments.cancel(deploymentId, options);
        emit(command, { deploymentId, cancelRequested: true }, () => `Cancellation of ${deploymentId} requested`);
      }),
    );
  withExamples(command, ['stagecoach deploy cancel deployment/3f2a…/… --user rita --reason "wrong package"']);
}

/** Polls the status with a tenants bar until the deployment ends, then prints its result. */
async function follow(client: StagecoachClient, command: Command, deploymentId: string): Promise<void> {
  const display = new ProgressDisplay(progressEnabled(globalOptions(command).json));
  const ended = client.deployments.result(deploymentId).then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  let outcome: Awaited<typeof ended> | undefined;
  try {
    while (
      !(outcome = await Promise.race([
        ended,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 500)),
      ]))
    ) {
      const status = await client.deployments.status(deploymentId).catch(() => undefined);
      if (status)
        display.update([
          {
            label: `deploy ${status.package ?? ''}`.trim(),
            done: status.counts.processed,
            total: status.counts.total,
            unit: 'tenants',
          },
        ]);
    }
  } finally {
    display.stop();
  }
  if ('error' in outcome) {
    const error = outcome.error;
    throw error instanceof DeploymentError
      ? new CliError(EXIT.failed, `${deploymentId} failed: ${error.message}`)
      : error;
  }
  const { result } = outcome;
  const c = result.counts;
  emit(
    command,
    result,
    (r) =>
      `${r.deploymentId}: package ${r.package}: ${c.succeeded} succeeded, ${c.failed} failed, ${c.skipped} skipped${r.cancelled ? ` (cancelled by ${r.cancelled.user}: ${r.cancelled.reason})` : ''}`,
  );
  if (c.failed > 0) throw new CliError(EXIT.failed, `${deploymentId}: ${c.failed} tenant(s) failed`, true);
}

function renderDeployment(status: DeploymentStatus): string {
  const c = status.counts;
  const lines = [
    `${status.deploymentId}  ${status.phase}  package ${status.package ?? '?'} → ${status.landscape}`,
    `  ${c.processed}/${c.total} processed: ${c.succeeded} succeeded, ${c.failed} failed, ${c.skipped} skipped; ${c.running} running, ${c.pending} pending`,
  ];
  if (status.running.length) lines.push(`  running: ${status.running.join(', ')}`);
  for (const problem of status.problems) lines.push(`  ${problem.status} ${problem.tenant}: ${problem.reason ?? ''}`);
  return lines.join('\n');
}
