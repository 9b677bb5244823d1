import { Command, Option } from 'commander';
import { BundleCommandError, type BundleAdminRequest, type BundlePromotionInput } from '../../client';
import type { ItemSelector } from '../../domain/promotions/bundle-types';
import { clientAction, type ClientCall, emit, withClient, withExamples } from '../context';
import { CliError, usageError } from '../errors';
import { EXIT } from '../exit-codes';
import { collect, parseInstance, parseInstant, parsePositiveInteger } from '../parse';

/** Refusals name the user, the action and the missing role; unknown items or bundles are "not found". */
async function bundleCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof BundleCommandError) {
      throw new CliError(/NotFound/.test(error.type ?? '') ? EXIT.notFound : EXIT.refused, error.message);
    }
    throw error;
  }
}

const userOption = () =>
  new Option('--user <user>', 'who does it (roles come from the inventory)')
    .env('STAGECOACH_USER')
    .makeOptionMandatory();

export function registerBundleCommands(program: Command): void {
  const group = program
    .command('bundle')
    .description('bundles of definitions and their promotion to targets (docs/mass-deployment-and-promotions.md)');
  registerAdmin(group);
  registerPromote(group);
  registerPromotionCommands(group);
}

/** The admin actions share one shape: build the request, run it, print its message. */
function admin(
  group: Command,
  name: string,
  description: string,
  example: string,
  build: (args: string[], options: Record<string, unknown>) => BundleAdminRequest,
  args: string[] = [],
): Command {
  const command = group.command(name).description(description).addOption(userOption());
  for (const arg of args) command.argument(arg);
  command.action(
    clientAction(async ({ client, options, print }: ClientCall<Record<string, unknown>>, ...values: string[]) => {
      const result = await bundleCall(() => client.promotions.bundleCommand(build(values, options)));
      print(result, (r) =>
        [
          r.message,
          ...(r.bundles ?? []).map((b) => `  ${b.name}  ${b.itemCount} item(s)`),
          ...(r.bundle?.items ?? []).map((i) => `  ${JSON.stringify(i)}`),
        ].join('\n'),
      );
    }),
  );
  return withExamples(command, [example]);
}

function registerAdmin(group: Command): void {
  registerBundleEditing(group);
  registerTargetAndListings(group);
}

/** `create`, `add`, `remove`: a bundle and its items. */
function registerBundleEditing(group: Command): void {
  admin(
    group,
    'create',
    'create a bundle of definitions from a source instance',
    'stagecoach bundle create q4-forms --source acme/staging --user bea',
    ([bundle], o) => ({
      action: 'create-bundle',
      user: o.user as string,
      bundle,
      source: parseInstance(o.source as string),
      description: o.description as string | undefined,
    }),
    ['<bundle>'],
  )
    .requiredOption('--source <tenant/landscape>', 'where the definitions come from')
    .option('--description <text>', 'what the bundle is for');
  admin(
    group,
    'add',
    'add items by GUID or ObjectType:Name',
    'stagecoach bundle add q4-forms --item Form:"Asset Form" --item 5c0e…-guid --user bea',
    ([bundle], o) => ({
      action: 'add-items',
      user: o.user as string,
      bundle,
      items: (o.item as string[]).map(selectorOf),
    }),
    ['<bundle>'],
  ).requiredOption(
    '--item <selector>',
    'a GUID, or ObjectType:Name (repeatable)',
    (value: string, previous: string[] = []) => [...previous, value],
  );
  admin(
    group,
    'remove',
    'remove items by GUID',
    'stagecoach bundle remove q4-forms --guid 5c0e… --user bea',
    ([bundle], o) => ({ action: 'remove-items', user: o.user as string, bundle, guids: o.guid as string[] }),
    ['<bundle>'],
  ).requiredOption('--guid <guids>', 'GUIDs (repeat or comma-separate)', collect);
}

/** `target` defines a promotion target; `list`, `show`, `history` only read. */
function registerTargetAndListings(group: Command): void {
  admin(
    group,
    'target',
    'define a promotion target: an instance, its accepting user and a credential reference',
    "stagecoach bundle target acme-prod --instance acme/production --target-user svc-accept --credential-ref '${PROMOTE_PASSWORD}' --user pat",
    ([name], o) => ({
      action: 'define-target',
      user: o.user as string,
      target: {
        name,
        instance: parseInstance(o.instance as string),
        targetUser: o.targetUser as string,
        credentialRef: o.credentialRef as string,
      },
    }),
    ['<name>'],
  )
    .requiredOption('--instance <tenant/landscape>', 'the target instance')
    .requiredOption('--target-user <user>', 'the user that accepts bundles on the target')
    .requiredOption('--credential-ref <ref>', '${ENV_NAME} or vault:<path>; never the secret itself');
  admin(group, 'list', 'bundles and promotion targets', 'stagecoach bundle list --user pat', (_args, o) => ({
    action: 'list',
    user: o.user as string,
  }));
  admin(
    group,
    'show',
    'a bundle with its items',
    'stagecoach bundle show q4-forms --user pat',
    ([bundle], o) => ({ action: 'show-bundle', user: o.user as string, bundle }),
    ['<bundle>'],
  );
  admin(
    group,
    'history',
    'promotion history, by bundle or target',
    'stagecoach bundle history --bundle q4-forms --user pat --json',
    (_args, o) => ({
      action: 'history',
      user: o.user as string,
      bundle: o.bundle as string | undefined,
      target: o.target as string | undefined,
    }),
  )
    .option('--bundle <bundle>', 'only this bundle')
    .option('--target <name>', 'only this target');
}

interface PromoteOptions {
  target: string;
  user: string;
  at?: string;
  content?: 'snapshot' | 'live';
  item?: string[];
  source?: string;
  retentionDays?: number;
}

/**
 * `promote` (now, or at `--at`) and `schedule` (`--at` required) share one shape: a bundle, or
 * single items of a source instance with `--item` and `--source`.
 */
function registerPromote(group: Command): void {
  for (const name of ['promote', 'schedule'] as const) {
    const scheduling = name === 'schedule';
    const command = group
      .command(name)
      .argument('[bundle]', 'the bundle (or leave it out and name single items with --item and --source)')
      .description(
        scheduling
          ? 'schedule a promotion for a date; --content snapshot (default) freezes the items now, live reads them then'
          : 'promote a bundle or single items to a target now (waits for the outcome) or at a date (returns once scheduled)',
      )
      .requiredOption('--target <name>', 'promotion target')
      .addOption(userOption())
      .option(
        '--item <selector>',
        'a single item instead of a bundle: GUID or ObjectType:Name (repeatable)',
        (value: string, previous: string[] = []) => [...previous, value],
      )
      .option('--source <tenant/landscape>', 'with --item: the instance the items come from')
      .addOption(
        new Option('--content <mode>', 'scheduled: freeze the content now or read it then').choices([
          'snapshot',
          'live',
        ]),
      )
      .option(
        '--retention-days <n>',
        'when it ends, purge promotion history that ended longer ago than this (default 90)',
        parsePositiveInteger,
      );
    if (scheduling) command.requiredOption('--at <iso>', 'promote at this date and time (with its zone)', parseInstant);
    else command.option('--at <iso>', 'promote at this date and time (with its zone)', parseInstant);
    command.action((bundle: string | undefined, options: PromoteOptions, cmd: Command) =>
      withClient(cmd, async (client) => {
        const outcome = await bundleCall(() => client.promotions.promote(promotionInput(bundle, options)));
        emit(cmd, outcome, (o) =>
          o.result
            ? `${o.promotionId}: ${o.result.created} created, ${o.result.updated} updated, ${o.result.unchanged} unchanged`
            : `${o.promotionId}: scheduled for ${o.status?.scheduledFor} (${o.status?.content})`,
        );
      }),
    );
    withExamples(
      command,
      scheduling
        ? [
            'stagecoach bundle schedule q4-forms --target acme-prod --at 2026-12-05T22:00:00Z --user pat',
            'stagecoach bundle schedule q4-forms --target acme-prod --at 2026-12-05T22:00:00Z --content live --user pat',
          ]
        : [
            'stagecoach bundle promote q4-forms --target acme-prod --user pat',
            'stagecoach bundle promote --item Form:"Asset Form" --source acme/staging --target acme-prod --user pat',
          ],
    );
  }
}

function promotionInput(bundle: string | undefined, options: PromoteOptions): BundlePromotionInput {
  if (options.at !== undefined && Number.isNaN(Date.parse(options.at)))
    throw usageError(`--at '${options.at}' is not an ISO date and time (e.g. 2026-12-05T22:00:00Z)`);
  if (bundle && options.item) throw usageError('name a bundle or single items with --item, not both');
  if (!bundle && !options.item) throw usageError('name a bundle, or single items with --item and --source');
  if (options.item && !options.source)
    throw usageError('--item needs --source <tenant/landscape>: the instance the items come from');
  return {
    requestedBy: options.user,
    targetName: options.target,
    ...(bundle
      ? { bundle }
      : { items: { source: parseInstance(options.source!), selectors: options.item!.map(selectorOf) } }),
    ...(options.at ? { scheduledFor: new Date(options.at).toISOString() } : {}),
    ...(options.content ? { content: options.content } : {}),
    ...(options.retentionDays ? { retentionDays: options.retentionDays } : {}),
  };
}

function registerPromotionCommands(group: Command): void {
  const status = group
    .command('promotion')
    .argument('<promotionId>')
    .description("a promotion's phase, schedule and reschedules")
    .action((promotionId: string, _o: unknown, command: Command) =>
      withClient(command, async (client) =>
        emit(
          command,
          await bundleCall(() => client.promotions.status(promotionId)),
          (s) =>
            `${s.promotionId}: ${s.phase}${s.scheduledFor ? ` (scheduled for ${s.scheduledFor})` : ''}${s.error ? ` — ${s.error}` : ''}`,
        ),
      ),
    );
  withExamples(status, ['stagecoach bundle promotion promotion/acme-prod/5f0c…']);
  const cancel = group
    .command('cancel')
    .argument('<promotionId>')
    .description('cancel a promotion not yet promoting (promotion-admin); refused (exit 4) otherwise')
    .addOption(userOption())
    .requiredOption('--reason <text>', 'why; recorded with the promotion')
    .action((promotionId: string, options: { user: string; reason: string }, command: Command) =>
      withClient(command, async (client) =>
        emit(
          command,
          await bundleCall(() => client.promotions.cancel(promotionId, options)),
          (s) => `${s.promotionId}: ${s.phase}${s.error ? ` (${s.error})` : ''}`,
        ),
      ),
    );
  withExamples(cancel, [
    'stagecoach bundle cancel promotion/acme-prod/5f0c… --user pat --reason "customer asked to wait"',
  ]);
  const reschedule = group
    .command('reschedule')
    .argument('<promotionId>')
    .description('move a scheduled promotion to another date; refused (exit 4) once it has started')
    .requiredOption('--at <iso>', 'the new date and time (with its zone)', parseInstant)
    .addOption(userOption())
    .action((promotionId: string, options: { at: string; user: string }, command: Command) =>
      withClient(command, async (client) => {
        if (Number.isNaN(Date.parse(options.at)))
          throw usageError(`--at '${options.at}' is not an ISO date and time (e.g. 2026-12-05T22:00:00Z)`);
        const answer = await bundleCall(() =>
          client.promotions.reschedule(promotionId, { user: options.user, at: new Date(options.at).toISOString() }),
        );
        emit(command, { promotionId, ...answer }, (a) => `${promotionId}: rescheduled for ${a.scheduledFor}`);
      }),
    );
  withExamples(reschedule, [
    'stagecoach bundle reschedule promotion/acme-prod/5f0c… --at 2026-12-06T22:00:00Z --user pat',
  ]);
  const backOut = group
    .command('back-out')
    .alias('backout')
    .argument('<promotionId>')
    .description('restore what a promotion updated and remove what it created')
    .addOption(userOption())
    .action((promotionId: string, options: { user: string }, command: Command) =>
      withClient(command, async (client) =>
        emit(
          command,
          await bundleCall(() => client.promotions.backOut({ promotionId, user: options.user })),
          (o) => `${promotionId} backed out: ${JSON.stringify(o)}`,
        ),
      ),
    );
  withExamples(backOut, ['stagecoach bundle back-out promotion/acme-prod/5f0c… --user pat']);
}

/** `Form:Asset Form` selects by type and name; anything else is a GUID. */
function selectorOf(value: string): ItemSelector {
  const match = value.match(/^([A-Za-z]+):(.+)$/);
  return match ? { objectType: match[1], name: match[2] } : { guid: value };
}
