import fs from 'node:fs';
import { Command, Option } from 'commander';
import { InventoryError } from '../../inventory/inventory';
import { loadInventory } from '../../inventory/load-inventory';
import { WORKER_ENV, workerSettingsFromEnv } from '../../worker/settings';
import { emit, withExamples } from '../context';
import { CliError, usageError } from '../errors';
import { EXIT } from '../exit-codes';

interface InventorySummary {
  file: string;
  tenants: number;
  instances: number;
  roles: string[];
}

/** `stagecoach inventory validate`: the worker's inventory checked as the worker reads it; no server needed. */
export function registerInventoryCommands(program: Command): void {
  const group = program.command('inventory').description('the tenants and instances file (stagecoach.yaml)');
  const command = group
    .command('validate')
    .argument('[file]', 'the inventory (default: --inventory, STAGECOACH_INVENTORY, or ./stagecoach.yaml)')
    .description('check the inventory: every mistake with its key path, line and column; exit 4 when invalid')
    .addOption(new Option('--inventory <file>', 'the inventory').env(WORKER_ENV.inventory))
    .action((file: string | undefined, options: { inventory?: string }, cmd: Command) => {
      const path = file || options.inventory || workerSettingsFromEnv().inventoryPath;
      if (!path) throw usageError('no inventory: give a file, --inventory, STAGECOACH_INVENTORY, or ./stagecoach.yaml');
      if (!fs.existsSync(path)) throw new CliError(EXIT.notFound, `inventory ${path} does not exist`);
      let summary: InventorySummary;
      try {
        const inventory = loadInventory(path);
        const tenants = Object.values(inventory.tenants);
        summary = {
          file: inventory.file,
          tenants: tenants.length,
          instances: tenants.reduce((n, t) => n + Object.keys(t.instances).length, 0),
          roles: Object.keys(inventory.roles ?? {}).sort(),
        };
      } catch (error) {
        if (error instanceof InventoryError) throw new CliError(EXIT.refused, error.message);
        throw error;
      }
      emit(
        cmd,
        summary,
        (s) =>
          `${s.file}: valid; ${s.tenants} tenant(s), ${s.instances} instance(s)${s.roles.length ? `, roles ${s.roles.join(', ')}` : ''}`,
      );
    });
  withExamples(command, [
    'stagecoach inventory validate',
    'stagecoach inventory validate /etc/stagecoach/stagecoach.yaml --json',
  ]);
}
