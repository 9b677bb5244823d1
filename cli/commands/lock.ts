import { Command } from 'commander';
import type { InstanceLockStatus } from '../../client';
import { LANDSCAPES, type InstanceRef, type Landscape } from '../../domain/landscapes';
import { emit, withClient, withExamples } from '../context';
import { usageError } from '../errors';

export function registerLockCommands(program: Command): void {
  const group = program.command('lock').description('instance locks: who holds a tenant instance, who queues for it');
  registerList(group);
  registerStatus(group);
  registerRelease(group);
}

function registerList(group: Command): void {
  const command = group
    .command('list')
    .description('every held or queued instance lock')
    .option('--tenant <name>', 'only this tenant')
    .action((options: { tenant?: string }, command: Command) =>
      withClient(command, async (client) => {
        const locks = (await client.locks.list()).filter(
          (lock) => !options.tenant || lock.lockWorkflowId.startsWith(`lock/${options.tenant}/`),
        );
        emit(command, locks, (all) => (all.length ? all.map(renderLock).join('\n') : 'No instance locks are running.'));
      }),
    );
  withExamples(command, ['stagecoach lock list', 'stagecoach lock list --tenant acme --json']);
}

function registerStatus(group: Command): void {
  const command = group
    .command('status')
    .argument('<tenant>')
    .argument('<landscape>', LANDSCAPES.join(' | '))
    .description('holder and queue of one instance lock')
    .action((tenant: string, landscape: string, _options: unknown, command: Command) =>
      withClient(command, async (client) => {
        emit(command, await client.locks.status(instanceOf(tenant, landscape)), renderLock);
      }),
    );
  withExamples(command, ['stagecoach lock status acme production']);
}

function registerRelease(group: Command): void {
  const command = group
    .command('release')
    .argument('<tenant>')
    .argument('<landscape>', LANDSCAPES.join(' | '))
    .description('force-release an instance from its holder (admins; audited with the reason); exits 4 when refused')
    .requiredOption('--user <admin>', 'who releases it')
    .requiredOption('--reason <text>', 'why; written to the audit table')
    .option('--request-id <id>', 'release only if this request still holds the lock')
    .action(
      (
        tenant: string,
        landscape: string,
        options: { user: string; reason: string; requestId?: string },
        command: Command,
      ) =>
        withClient(command, async (client) => {
          const result = await client.locks.forceRelease(instanceOf(tenant, landscape), options);
          emit(
            command,
            result,
            (r) => `Released ${tenant}/${landscape} from ${r.released.holderWorkflowId} (${r.released.reason})`,
          );
        }),
    );
  withExamples(command, [
    'stagecoach lock release acme staging --user olga.admin --reason "release acme 1.3 worker lost; holder stuck"',
    'stagecoach lock release acme staging --user olga.admin --reason "stuck" --request-id 5f0c… --json',
  ]);
}

function instanceOf(tenant: string, landscape: string): InstanceRef {
  if (!(LANDSCAPES as readonly string[]).includes(landscape)) {
    throw usageError(`landscape '${landscape}' is not one of ${LANDSCAPES.join(', ')}`);
  }
  return { tenant, landscape: landscape as Landscape };
}

function renderLock(lock: InstanceLockStatus): string {
  const holder = lock.holder
    ? `held by ${lock.holder.holderWorkflowId} since ${lock.holder.grantedAt} (${lock.holder.reason})`
    : 'free';
  const queue = lock.queue
    .map((request, index) => `\n  ${index + 1}. ${request.holderWorkflowId} (${request.reason})`)
    .join('');
  return `${lock.lockWorkflowId}  ${holder}${lock.queue.length ? `; queue:${queue}` : ''}`;
}
