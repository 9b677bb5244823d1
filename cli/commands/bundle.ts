import { Command, Option } from 'commander';
import {
  backOutPromotion,
  BundleCommandError,
  cancelPromotion,
  promote,
  promotionStatus,
  runBundleCommand,
  type BundleAdminRequest,
  type StagecoachClient,
} from '../../client';
import type { ItemSelector } from '../../bundles/bundle-types';
import { emit, withClient, withExamples } from '../context';
import { CliError } from '../errors';
import { EXIT } from '../exit-codes';
import { collect, parseInstance } from '../parse';

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

const userOption = () => new Option('--user <user>', 'who does it (roles come from the inventory)').env('STAGECOACH_USER').makeOptionMandatory();

export function registerBundleCommands(program: Command): void {
  const group = program.command('bundle').description('bundles of definitions and their promotion to targets (SPEC §6, seed 004)');
  registerAdmin(group);
  registerPromote(group);
  registerPromotionCommands(group);
}

/** The admin actions share one shape: build the request, run it, print its message. */
function admin(group: Command, name: string, description: string, example: string, build: (args: string[], options: Record<string, unknown>) => BundleAdminRequest, args: string[] = []): Command {
  const command = group.command(name).description(description).addOption(userOption());
  for (const arg of args) command.argument(arg);
  command.action((...params: unknown[]) => {
    const cmd = params[params.length - 1] as Command;
    const options = params[params.length - 2] as Record<string, unknown>;
    return withClient(cmd, async (client: StagecoachClient) => {
      const result = await bundleCall(() => runBundleCommand(client, build(params.slice(0, -2) as string[], options)));
      emit(cmd, result, (r) => [r.message, ...(r.bundles ?? []).map((b) => `  ${b.name}  ${b.itemCount} item(s)`), ...(r.bundle?.items ?? []).map((i) => `  ${JSON.stringify(i)}`)].join('\n'));
    });
  });
  return withExamples(command, [example]);
}

function registerAdmin(group: Command): void {
  admin(group, 'create', 'create a bundle of definitions from a source instance', 'stagecoach bundle create q4-forms --source acme/staging --user bea',
    ([bundle], o) => ({ action: 'create-bundle', user: o.user as string, bundle, source: parseInstance(o.source as string), description: o.description as string | undefined }), ['<bundle>'])
    .requiredOption('--source <tenant/landscape>', 'where the definitions come from')
    .option('--description <text>', 'what the bundle is for');
  admin(group, 'add', 'add items by GUID or ObjectType:Name', 'stagecoach bundle add q4-forms --item Form:"Asset Form" --item 5c0e…-guid --user bea',
    ([bundle], o) => ({ action: 'add-items', user: o.user as string, bundle, items: (o.item as string[]).map(selectorOf) }), ['<bundle>'])
    .requiredOption('--item <selector>', 'a GUID, or ObjectType:Name (repeatable)', (value: string, previous: string[] = []) => [...previous, value]);
  admin(group, 'remove', 'remove items by GUID', 'stagecoach bundle remove q4-forms --guid 5c0e… --user bea',
    ([bundle], o) => ({ action: 'remove-items', user: o.user as string, bundle, guids: o.guid as string[] }), ['<bundle>'])
    .requiredOption('--guid <guids>', 'GUIDs (repeat or comma-separate)', collect);
  admin(group, 'target', 'define a promotion target: an instance, its accepting user and a credential reference', 'stagecoach bundle target acme-prod --instance acme/production --target-user svc-accept --credential-ref \'${PROMOTE_PASSWORD}\' --user pat',
    ([name], o) => ({ action: 'define-target', user: o.user as string, target: { name, instance: parseInstance(o.instance as string), targetUser: o.targetUser as string, credentialRef: o.credentialRef as string } }), ['<name>'])
    .requiredOption('--instance <tenant/landscape>', 'the target instance')
    .requiredOption('--target-user <user>', 'the user that accepts bundles on the target')
    .requiredOption('--credential-ref <ref>', '${ENV_NAME} or vault:<path>; never the secret itself');
  admin(group, 'list', 'bundles and promotion targets', 'stagecoach bundle list --user pat', (_args, o) => ({ action: 'list', user: o.user as string }));
  admin(group, 'show', 'a bundle with its items', 'stagecoach bundle show q4-forms --user pat', ([bundle], o) => ({ action: 'show-bundle', user: o.user as string, bundle }), ['<bundle>']);
  admin(group, 'history', 'promotion history, by bundle or target', 'stagecoach bundle history --bundle q4-forms --user pat --json',
    (_args, o) => ({ action: 'history', user: o.user as string, bundle: o.bundle as string | undefined, target: o.target as string | undefined }))
    .option('--bundle <bundle>', 'only this bundle')
    .option('--target <name>', 'only this target');
}

function registerPromote(group: Command): void {
  const command = group
    .command('promote')
    .argument('<bundle>')
    .description('promote a bundle to a target now (waits for the outcome) or at a date (returns once scheduled)')
    .requiredOption('--target <name>', 'promotion target')
    .addOption(userOption())
    .option('--at <iso>', 'promote at this date and time')
    .addOption(new Option('--content <mode>', 'scheduled: freeze the content now or read it then').choices(['snapshot', 'live']))
    .action((bundle: string, options: { target: string; user: string; at?: string; content?: 'snapshot' | 'live' }, command: Command) =>
      withClient(command, async (client) => {
        const outcome = await bundleCall(() =>
          promote(client, { requestedBy: options.user, targetName: options.target, bundle, scheduledFor: options.at, ...(options.content ? { content: options.content } : {}) }),
        );
        emit(command, outcome, (o) =>
          o.result
            ? `${o.promotionId}: ${o.result.created} created, ${o.result.updated} updated, ${o.result.unchanged} unchanged`
            : `${o.promotionId}: scheduled for ${o.status?.scheduledFor} (${o.status?.content})`,
        );
      }),
    );
  withExamples(command, ['stagecoach bundle promote q4-forms --target acme-prod --user pat', 'stagecoach bundle promote q4-forms --target acme-prod --at 2026-12-05T22:00:00Z --content live --user pat']);
}

function registerPromotionCommands(group: Command): void {
  const status = group
    .command('promotion')
    .argument('<promotionId>')
    .description("a promotion's phase, schedule and reschedules")
    .action((promotionId: string, _o: unknown, command: Command) =>
      withClient(command, async (client) => emit(command, await bundleCall(() => promotionStatus(client, promotionId)), (s) => `${s.promotionId}: ${s.phase}${s.scheduledFor ? ` (scheduled for ${s.scheduledFor})` : ''}${s.error ? ` — ${s.error}` : ''}`)),
    );
  withExamples(status, ['stagecoach bundle promotion promotion/acme-prod/5f0c…']);
  const cancel = group
    .command('cancel')
    .argument('<promotionId>')
    .description('cancel a scheduled promotion')
    .action((promotionId: string, _o: unknown, command: Command) =>
      withClient(command, async (client) => emit(command, await bundleCall(() => cancelPromotion(client, promotionId)), (s) => `${s.promotionId}: ${s.phase}`)),
    );
  withExamples(cancel, ['stagecoach bundle cancel promotion/acme-prod/5f0c…']);
  const backOut = group
    .command('back-out')
    .argument('<promotionId>')
    .description('restore what a promotion updated and remove what it created')
    .addOption(userOption())
    .action((promotionId: string, options: { user: string }, command: Command) =>
      withClient(command, async (client) => emit(command, await bundleCall(() => backOutPromotion(client, { promotionId, user: options.user })), (o) => `${promotionId} backed out: ${JSON.stringify(o)}`)),
    );
  withExamples(backOut, ['stagecoach bundle back-out promotion/acme-prod/5f0c… --user pat']);
}


/** `Form:Asset Form` selects by type and name; anything else is a GUID. */
function selectorOf(value: string): ItemSelector {
  const match = value.match(/^([A-Za-z]+):(.+)$/);
  return match ? { objectType: match[1], name: match[2] } : { guid: value };
}
