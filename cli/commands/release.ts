import { Command, Option } from 'commander';
import { InvalidReleaseInputError, ReleaseAlreadyStartedError, type StagecoachClient } from '../../client';
import type { DecisionKind, ResolutionKind } from '../../domain/gates';
import { RELEASE_VARIANTS, type ReleaseVariant } from '../../domain/releases';
import { emit, globalOptions, withClient, withExamples } from '../context';
import { withListingOptions, type ListingOptions } from '../listing-options';
import { CliError, usageError } from '../errors';
import { EXIT } from '../exit-codes';
import { collect, parsePositiveInteger } from '../parse';
import { controlDbOption, publishPackageFiles } from '../package-files';
import { readingOf, type ProgressReading } from '../progress';
import { renderListing } from '../render/approval-text';
import { renderTimeline, watchRelease } from '../render/release-timeline';
import {
  decideThroughServiceIfSignedIn,
  type ServiceOptions,
  signerFrom,
  type SigningOptions,
  withServiceOption,
  withSigningOptions,
} from '../signing';

/** `acme/1.4` and `release/acme/1.4` name the same release. */
const releaseIdOf = (id: string) => (id.startsWith('release/') ? id : `release/${id}`);

export function registerReleaseCommands(program: Command): void {
  const group = program.command('release').description('tenant releases: start, steer, watch');
  registerStart(group);
  registerStatus(group);
  registerWatch(group);
  for (const decision of ['approve', 'reject'] as const) registerDecision(group, decision);
  registerResolve(group);
  registerConfiguration(group);
  registerCancel(group);
  registerList(group);
}

function registerStart(group: Command): void {
  const command = group
    .command('start')
    .description('start release/<tenant>/<version>; exits 4 if it already runs, 2 for bad input')
    .requiredOption('--tenant <name>', 'tenant from the inventory')
    .requiredOption('--version <version>', 'release version, e.g. 1.4')
    .addOption(
      new Option('--started-by <user>', 'the release manager (may not approve its gates)')
        .env('STAGECOACH_USER')
        .makeOptionMandatory(),
    )
    .addOption(new Option('--variant <variant>', 'release variant').choices(RELEASE_VARIANTS).default('standard'))
    .option('--package <file>', 'package(s) known now (else the release waits for configuration-ready)', collect)
    .addOption(controlDbOption())
    .action(
      (
        options: {
          tenant: string;
          version: string;
          startedBy: string;
          variant: ReleaseVariant;
          package?: string[];
          controlDb?: string;
        },
        command: Command,
      ) =>
        withClient(command, async (client) => {
          const packages = options.package ? await publishPackageFiles(options.controlDb, options.package) : undefined;
          const started = await client.releases
            .start({
              tenant: options.tenant,
              version: options.version,
              startedBy: options.startedBy,
              variant: options.variant,
              ...(packages ? { packages } : {}),
            })
            .catch(translateStartError);
          emit(
            command,
            started,
            (s) => `Started ${s.workflowId}; follow it with 'stagecoach release watch ${s.workflowId}'`,
          );
        }),
    );
  withExamples(command, [
    'stagecoach release start --tenant acme --version 1.4 --started-by rita',
    'stagecoach release start --tenant acme --version 1.5 --variant withoutUat --package acme-1.5.json --json',
  ]);
}

function translateStartError(error: unknown): never {
  if (error instanceof ReleaseAlreadyStartedError) throw new CliError(EXIT.refused, error.message);
  if (error instanceof InvalidReleaseInputError) throw usageError(error.message);
  throw error;
}

function registerStatus(group: Command): void {
  const command = group
    .command('status')
    .argument('<release>', 'release id: release/<tenant>/<version> or <tenant>/<version>')
    .description('the phase timeline, what the release waits for, pushes and problems')
    .action((id: string, _options: unknown, command: Command) =>
      withClient(command, async (client) => {
        emit(command, await client.releases.status(releaseIdOf(id)), (status) => renderTimeline(status, new Date()));
      }),
    );
  withExamples(command, [
    'stagecoach release status acme/1.4',
    'stagecoach release status release/acme/1.4 --json | jq .waitingFor',
  ]);
}

function registerWatch(group: Command): void {
  const command = group
    .command('watch')
    .argument('<release>', 'release id')
    .description(
      'the live phase timeline; exits when the release ends (0 completed, 5 failed, 4 cancelled) or waits for a person (0)',
    )
    .option('--interval <ms>', 'how often to look', parsePositiveInteger, 1000)
    .action((id: string, options: { interval: number }, command: Command) =>
      withClient(command, async (client) => {
        const json = globalOptions(command).json;
        const workflowId = releaseIdOf(id);
        const { status, exitCode } = await watchRelease(() => client.releases.status(workflowId), {
          out: json ? devNull : process.stdout,
          intervalMs: options.interval,
          progress: async () =>
            (await client.pendingActivities(workflowId)).map(readingOf).filter((r): r is ProgressReading => !!r),
        });
        if (json) emit(command, status, () => '');
        if (exitCode !== EXIT.ok) throw new CliError(exitCode, `${status.releaseId} ${status.outcome}`, true);
      }),
    );
  withExamples(command, [
    'stagecoach release watch acme/1.4',
    'stagecoach release watch acme/1.4 --json | jq .waitingFor',
  ]);
}

const devNull = { write: () => true } as unknown as NodeJS.WritableStream;

/** The gate a release waits at, from its status; refused when it waits at none. */
async function gateOf(client: StagecoachClient, workflowId: string, given?: string): Promise<string> {
  if (given) return given;
  const status = await client.releases.status(workflowId);
  const gate = status.waitingFor?.match(/^(?:gate|resolution):(.+)$/)?.[1];
  if (!gate)
    throw new CliError(
      EXIT.refused,
      `${workflowId} waits at no gate (it is in ${status.phase}${status.waitingFor ? `, waiting for ${status.waitingFor}` : ''})`,
    );
  return gate;
}

function registerDecision(group: Command, decision: DecisionKind): void {
  const command = group
    .command(decision)
    .argument('<release>', 'release id')
    .description(`${decision} the gate the release waits at; exits 4 when the decision does not count`)
    .option('--gate <name>', 'the gate (default: the one the release waits at)')
    .addOption(new Option('--user <user>', 'who decides').env('STAGECOACH_USER').makeOptionMandatory())
    .option('--comment <text>', 'recorded with the decision');
  withServiceOption(withSigningOptions(command)).action(
    async (
      id: string,
      options: { gate?: string; user: string; comment?: string } & SigningOptions & ServiceOptions,
      command: Command,
    ) => {
      const viaService = await decideThroughServiceIfSignedIn(options, releaseIdOf(id), decision);
      if (viaService)
        return emit(command, viaService, (a) => `${a.user}: ${decision} on gate ${a.gate} counted (approval service)`);
      return withClient(command, async (client) => {
        const workflowId = releaseIdOf(id);
        const signer = signerFrom(options);
        const gate = await gateOf(client, workflowId, options.gate);
        const request = { gate, user: options.user, comment: options.comment };
        const answer = await client.approvals.decide(workflowId, decision, request, signer);
        emit(
          command,
          { workflowId, decision, ...answer },
          (a) =>
            `${options.user}: ${decision} on gate ${a.gate} counted; approvals still needed: ${a.approvalsStillNeeded}`,
        );
      });
    },
  );
  withExamples(command, [`stagecoach release ${decision} acme/1.4 --user alice --comment "checked in UAT"`]);
}

function registerResolve(group: Command): void {
  const command = group
    .command('resolve')
    .argument('<release>', 'release id')
    .description('after a gate was rejected twice: ask the approvers again (release managers)')
    .option('--gate <name>', 'the gate (default: the one the release waits at)')
    .addOption(new Option('--user <user>', 'the release manager').env('STAGECOACH_USER').makeOptionMandatory())
    .option('--comment <text>', 'recorded with it')
    .action((id: string, options: { gate?: string; user: string; comment?: string }, command: Command) =>
      withClient(command, async (client) => {
        const workflowId = releaseIdOf(id);
        const gate = await gateOf(client, workflowId, options.gate);
        const kind: ResolutionKind = 'resolve';
        const recorded = await client.approvals.sendResolution(workflowId, kind, {
          gate,
          user: options.user,
          comment: options.comment,
        });
        emit(command, { workflowId, ...recorded }, () => `${options.user}: resolve of gate ${gate} recorded`);
      }),
    );
  withExamples(command, ['stagecoach release resolve acme/1.4 --user rita --comment "package fixed"']);
}

interface PackagesOptions {
  user: string;
  package: string[];
  controlDb?: string;
}

function registerConfiguration(group: Command): void {
  const ready = group
    .command('configuration-ready')
    .argument('<release>', 'release id')
    .description('step 2 done: the configuration on staging is in these package(s)')
    .addOption(new Option('--user <user>', 'who says so').env('STAGECOACH_USER').makeOptionMandatory())
    .requiredOption('--package <file>', 'package file(s)', collect)
    .addOption(controlDbOption())
    .option('--comment <text>', 'recorded with it')
    .action((id: string, options: PackagesOptions & { comment?: string }, command: Command) =>
      withClient(command, async (client) => {
        const workflowId = releaseIdOf(id);
        const packages = await publishPackageFiles(options.controlDb, options.package);
        await client.releases.configurationReady(workflowId, options.user, packages, options.comment);
        emit(command, { workflowId, sent: 'configurationReady' }, () => `Sent configurationReady to ${workflowId}`);
      }),
    );
  withExamples(ready, ['stagecoach release configuration-ready acme/1.4 --user sam --package acme-1.4.json']);
  const corrected = group
    .command('corrected-package')
    .argument('<release>', 'release id')
    .description('after a failed push: the corrected package(s) to push again')
    .addOption(new Option('--user <user>', 'who sends it').env('STAGECOACH_USER').makeOptionMandatory())
    .requiredOption('--package <file>', 'package file(s)', collect)
    .addOption(controlDbOption())
    .action((id: string, options: PackagesOptions, command: Command) =>
      withClient(command, async (client) => {
        const workflowId = releaseIdOf(id);
        const packages = await publishPackageFiles(options.controlDb, options.package);
        await client.releases.correctedPackage(workflowId, options.user, packages);
        emit(command, { workflowId, sent: 'correctedPackage' }, () => `Sent correctedPackage to ${workflowId}`);
      }),
    );
  withExamples(corrected, ['stagecoach release corrected-package acme/1.4 --user sam --package acme-1.4-fixed.json']);
  const change = group
    .command('register-change')
    .argument('<release>', 'release id')
    .description('record a configuration change in the release change register')
    .addOption(new Option('--user <user>', 'who changed it').env('STAGECOACH_USER').makeOptionMandatory())
    .requiredOption('--description <text>', 'what changed')
    .option('--reference <ticket>', 'ticket or service request')
    .action((id: string, options: { user: string; description: string; reference?: string }, command: Command) =>
      withClient(command, async (client) => {
        const workflowId = releaseIdOf(id);
        await client.releases.registerChange(workflowId, options);
        emit(command, { workflowId, sent: 'registerChange' }, () => `Recorded the change in ${workflowId}`);
      }),
    );
  withExamples(change, [
    'stagecoach release register-change acme/1.4 --user sam --description "new intake form" --reference SR-1',
  ]);
}

function registerCancel(group: Command): void {
  const command = group
    .command('cancel')
    .argument('<release>', 'release id')
    .description(
      'cancel a release (its release managers): it undoes its flag changes, releases its locks and ends cancelled',
    )
    .addOption(
      new Option('--user <user>', 'a release manager of the release').env('STAGECOACH_USER').makeOptionMandatory(),
    )
    .requiredOption('--reason <text>', 'why; recorded with the release')
    .action((id: string, options: { user: string; reason: string }, command: Command) =>
      withClient(command, async (client) => {
        const workflowId = releaseIdOf(id);
        await client.releases.cancel(workflowId, options);
        emit(
          command,
          { workflowId, cancelRequested: true },
          () => `Cancellation of ${workflowId} requested; 'stagecoach release watch ${workflowId}' shows it end`,
        );
      }),
    );
  withExamples(command, ['stagecoach release cancel acme/1.4 --user rita --reason "customer postponed"']);
}

function registerList(group: Command): void {
  const command = withListingOptions(
    group.command('list').description('releases, newest first, by tenant, phase or what they wait for'),
  ).action((options: ListingOptions, command: Command) =>
    withClient(command, async (client) => {
      const { limit, ...filter } = options;
      emit(command, await client.releases.list(filter, limit), renderListing);
    }),
  );
  withExamples(command, [
    'stagecoach release list --open',
    'stagecoach release list --waiting-for gate:uat-push --json',
  ]);
}
