import { Command, InvalidArgumentError, Option } from 'commander';
import { DeploymentError, type StagecoachClient } from '../../client';
import { LANDSCAPES, type Landscape } from '../../domain/landscapes';
import type { DeploymentPreview, DeploymentStatus, ResolveDeploymentRequest } from '../../contracts/deployments';
import {
  DEFAULT_FAILURE_THRESHOLD_PERCENT,
  DEFAULT_WAVE_SIZE,
  MAX_WAVE_SIZE,
  type WaveOptions,
} from '../../domain/deployments/wave-plan';
import { describeDuration, parseDuration } from '../../domain/release-settings';
import { emit, globalOptions, withClient, withExamples } from '../context';
import { CliError, usageError } from '../errors';
import { EXIT, type ExitCode } from '../exit-codes';
import { collect, parseInstant, parsePositiveInteger } from '../parse';
import { controlDbOption, publishPackageFiles } from '../package-files';
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
  tenantTag?: string[];
  pilot?: string[];
  pilotTag?: string;
  waveSize?: number;
  waveTags?: string[];
  waveApprovers?: string[];
  waveRole?: string;
  soak?: number;
  failureThreshold?: number;
  dryRun?: boolean;
}

export function registerDeployCommands(program: Command): void {
  const group = program.command('deploy').description('mass deployment of one package to many tenants');
  registerStart(group);
  registerStatus(group);
  registerWait(group);
  registerCancel(group);
  registerResolve(group);
}

function registerStart(group: Command): void {
  const command = group
    .command('start')
    .description(
      'deploy a package to all (or selected) tenants, now or at a date; --wait follows it with a tenants bar',
    )
    .option('--package <file>', 'publish this package file into the control database, then deploy it')
    .option('--package-sha256 <hash>', 'deploy a package already published')
    .addOption(controlDbOption())
    .addOption(
      new Option('--landscape <landscape>', 'instances to deploy to').choices(LANDSCAPES).default('production'),
    )
    .option('--tenant <names>', 'only these tenants (repeat or comma-separate)', collect)
    .option('--concurrency <n>', 'tenants at the same time', parsePositiveInteger, 10)
    .option('--at <iso>', 'start at this date and time (with its zone, e.g. 2026-12-05T22:00:00+01:00)', parseInstant)
    .option('--notify', "mail each tenant's contact when its deployment succeeded")
    .addOption(
      new Option('--submitter <user>', 'who asks; gets the summary').env('STAGECOACH_USER').makeOptionMandatory(),
    )
    .option('--wait', 'follow it to the end (exit 5 when a tenant failed)')
    .option('--dry-run', 'print the waves, their tenants, lock holders, next windows and skips; start nothing')
    .action((options: StartOptions, command: Command) =>
      withClient(command, (client) => start(client, command, options)),
    );
  addWaveOptions(command);
  withExamples(command, [
    'stagecoach deploy start --package forms-1.2.json --submitter rita --wait',
    'stagecoach deploy start --package-sha256 3f2a… --tenant acme,globex --at 2026-12-05T22:00:00Z --submitter rita --json',
    'stagecoach deploy start --package-sha256 3f2a… --pilot-tag pilot --wave-size 2000 --wave-approvers alice --soak 4h --dry-run --submitter rita',
  ]);
}

/** docs/mass-deployment-and-promotions.md "Waves": how the fleet widens, and what halts it. */
function addWaveOptions(command: Command): void {
  command
    .option(
      '--tenant-tag <tags>',
      'only tenants carrying one of these inventory tags (repeat or comma-separate)',
      collect,
    )
    .option('--pilot <tenants>', 'a first wave of these tenants (repeat or comma-separate)', collect)
    .option('--pilot-tag <tag>', 'a first wave of the tenants carrying this tag')
    .option(
      '--wave-size <n>',
      `tenants per wave after the pilot (default ${DEFAULT_WAVE_SIZE}, at most ${MAX_WAVE_SIZE})`,
      parsePositiveInteger,
    )
    .option('--wave-tags <tags>', 'one wave per tag, in this order, after the pilot; the rest by size', collect)
    .option(
      '--wave-approvers <users>',
      'an approval gate before each wave after the first: these users decide',
      collect,
    )
    .option(
      '--wave-role <role>',
      "an approval gate before each wave after the first: the inventory role's members decide",
    )
    .option('--soak <duration>', 'wait this long after each wave before the next (e.g. 30m, 4h)', (value: string) =>
      parseCliDuration(value, '--soak'),
    )
    .option(
      '--failure-threshold <percent>',
      `halt when more than this share of a wave failed (default ${DEFAULT_FAILURE_THRESHOLD_PERCENT})`,
      parsePercent,
    );
}

function waveOptions(options: StartOptions): WaveOptions | undefined {
  const gate =
    options.waveApprovers || options.waveRole
      ? {
          ...(options.waveApprovers ? { approvers: options.waveApprovers } : {}),
          ...(options.waveRole ? { role: options.waveRole } : {}),
        }
      : undefined;
  const waves: WaveOptions = {
    ...(options.pilot || options.pilotTag
      ? {
          pilot: {
            ...(options.pilot ? { tenants: options.pilot } : {}),
            ...(options.pilotTag ? { tag: options.pilotTag } : {}),
          },
        }
      : {}),
    ...(options.waveSize ? { size: options.waveSize } : {}),
    ...(options.waveTags ? { byTags: options.waveTags } : {}),
    ...(gate ? { gate } : {}),
    ...(options.soak ? { soakSeconds: options.soak } : {}),
    ...(options.failureThreshold !== undefined ? { failureThresholdPercent: options.failureThreshold } : {}),
  };
  return Object.keys(waves).length > 0 ? waves : undefined;
}

async function start(client: StagecoachClient, command: Command, options: StartOptions): Promise<void> {
  const packageSha256 = await packageHash(options);
  const waves = waveOptions(options);
  const selection = {
    packageSha256,
    landscape: options.landscape,
    submitter: options.submitter,
    ...(options.tenant ? { tenants: options.tenant } : {}),
    ...(options.tenantTag ? { tenantTags: options.tenantTag } : {}),
    ...(waves ? { waves } : {}),
  };
  if (options.dryRun) {
    const preview = await client.deployments.preview(selection).catch((error: unknown) => {
      throw error instanceof DeploymentError ? new CliError(deploymentExit(error), error.message) : error;
    });
    emit(command, preview, renderPreview);
    return;
  }
  const deploymentId = await client.deployments.start({
    ...selection,
    concurrency: options.concurrency,
    ...(options.at ? { scheduledFor: options.at } : {}),
    ...(options.notify ? { notifyTenants: true } : {}),
  });
  if (options.wait) return follow(client, command, deploymentId);
  if (!options.at)
    await client.deployments.whenPrepared(deploymentId).catch((error: unknown) => {
      throw error instanceof DeploymentError
        ? new CliError(deploymentExit(error), `${deploymentId} refused: ${error.message}`)
        : error;
    });
  emit(
    command,
    { deploymentId, packageSha256 },
    () => `Started ${deploymentId}; follow it with 'stagecoach deploy wait ${deploymentId}'`,
  );
}

function registerResolve(group: Command): void {
  const command = group
    .command('resolve')
    .argument('<deploymentId>')
    .argument(
      '<action>',
      'resume (accept the wave and go on), cancel (deploy no further) or back-out (restore the wave)',
    )
    .description('move a deployment halted in needs-resolution on: resume, cancel, or back out the halted wave')
    .addOption(new Option('--user <user>', 'who decides').env('STAGECOACH_USER').makeOptionMandatory())
    .requiredOption('--reason <text>', 'why; recorded with the decision')
    .action((deploymentId: string, action: string, options: { user: string; reason: string }, command: Command) =>
      withClient(command, async (client) => {
        if (!RESOLUTIONS.includes(action as ResolveDeploymentRequest['action']))
          throw usageError(`'${action}' is not a resolution: ${RESOLUTIONS.join(', ')}`);
        const request = { action: action as ResolveDeploymentRequest['action'], ...options };
        await client.deployments.resolve(deploymentId, request);
        emit(command, { deploymentId, resolution: action }, () => `${deploymentId}: ${action} accepted`);
      }),
    );
  withExamples(command, [
    'stagecoach deploy resolve deployment/3f2a…/… back-out --user rita --reason "forms broken on wave 2"',
  ]);
}

const RESOLUTIONS: ResolveDeploymentRequest['action'][] = ['resume', 'cancel', 'back-out'];

function parsePercent(value: string): number {
  const percent = Number(value);
  if (!Number.isFinite(percent) || percent < 0 || percent > 100)
    throw new InvalidArgumentError('expected a percentage 0–100');
  return percent;
}

/** Durations read as the inventory's settings read them (docs/releases.md), so `4h` means the same everywhere. */
function parseCliDuration(value: string, option: string): number {
  try {
    return parseDuration(value, option);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message.replace(`${option}: `, ''));
  }
}

async function packageHash(options: StartOptions): Promise<string> {
  if (!options.package === !options.packageSha256)
    throw usageError('give either --package <file> or --package-sha256 <hash>');
  if (options.packageSha256) return options.packageSha256;
  return (await publishPackageFiles(options.controlDb, [options.package!]))[0].sha256;
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

/** A deployment refused for want of the role exits 4 (refused); one that ran and failed, 5. */
function deploymentExit(error: DeploymentError): ExitCode {
  return error.type === 'PermissionDenied' ? EXIT.refused : EXIT.failed;
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
      ? new CliError(deploymentExit(error), `${deploymentId} failed: ${error.message}`)
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
  for (const wave of status.waves ?? [])
    lines.push(
      `  ${wave.name.padEnd(8)} ${wave.state.padEnd(10)} ${wave.total} tenant(s): ${wave.succeeded} succeeded, ${wave.failed} failed, ${wave.skipped} skipped`,
    );
  if (status.running.length) lines.push(`  running: ${status.running.join(', ')}`);
  for (const problem of status.problems) lines.push(`  ${problem.status} ${problem.tenant}: ${problem.reason ?? ''}`);
  return lines.join('\n');
}

/** At most this many names per line of a dry run; the JSON output has them all. */
const NAMES_SHOWN = 20;

function renderPreview(preview: DeploymentPreview): string {
  const shown = (names: string[]) =>
    names.slice(0, NAMES_SHOWN).join(', ') +
    (names.length > NAMES_SHOWN ? ` and ${names.length - NAMES_SHOWN} more` : '');
  const total = preview.waves.reduce((n, wave) => n + wave.tenants.length, 0);
  const lines = [
    `Dry run: ${preview.package} → ${preview.landscape}, ${total} tenant(s) in ${preview.waves.length} wave(s); nothing started`,
  ];
  if (preview.failureThresholdPercent !== undefined)
    lines.push(
      `  a wave halts past ${preview.failureThresholdPercent} % failed` +
        (preview.soakSeconds ? `; soak ${describeDuration(preview.soakSeconds)} after each wave` : '') +
        (preview.gate ? `; approval gate before each wave after the first` : ''),
    );
  for (const wave of preview.waves) {
    lines.push(`  ${wave.name} (${wave.tenants.length}): ${shown(wave.tenants.map((t) => t.tenant))}`);
    const windows = new Map<string, string[]>();
    for (const t of wave.tenants) {
      const window = t.nextWindow
        ? `${t.nextWindow.start}${t.nextWindow.end ? ` – ${t.nextWindow.end}` : ''}`
        : 'none configured';
      windows.set(window, [...(windows.get(window) ?? []), t.tenant]);
    }
    for (const [window, tenants] of windows)
      lines.push(`    next window ${window}${windows.size > 1 ? `: ${shown(tenants)}` : ''}`);
    for (const t of wave.tenants) {
      if (t.lockHolder) lines.push(`    ${t.tenant}: lock held by ${t.lockHolder}`);
      if (t.dependsOn) lines.push(`    ${t.tenant}: after ${t.dependsOn.join(', ')}`);
      if (t.skip) lines.push(`    ${t.tenant}: would be skipped: ${t.skip}`);
    }
  }
  for (const s of preview.skipped) lines.push(`  skipped ${s.tenant}: ${s.reason}`);
  return lines.join('\n');
}
