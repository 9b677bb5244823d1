// `stagecoach`: the command line over the client library (client/). bin/stagecoach runs this.
import { Command, CommanderError, Option } from 'commander';
import { registerApprovalCommands } from './commands/approval';
import { registerLockCommands } from './commands/lock';
import { registerBackupCommands } from './commands/backup';
import { registerReleaseCommands } from './commands/release';
import { registerDeployCommands } from './commands/deploy';
import { registerBundleCommands } from './commands/bundle';
import { registerPackageCommands } from './commands/package';
import { registerServerCommand } from './commands/server';
import { registerVersionCommand } from './commands/version';
import { registerInventoryCommands } from './commands/inventory';
import { registerWorkerCommand } from './commands/worker';
import { registerCodecCommands } from './commands/codec';
import { registerLoginCommand } from './commands/login';
import { globalOptions } from './context';
import { describeFailure } from './errors';
import { OUTPUT_FORMATS } from './context';
import { EXIT, exitCodeName, type ExitCode } from './exit-codes';

export function buildProgram(): Command {
  const program = new Command('stagecoach')
    .description('Carries tenant configuration from production to staging to UAT and back, on Temporal.')
    .addOption(new Option('--address <host:port>', 'Temporal server').env('TEMPORAL_ADDRESS'))
    .addOption(new Option('--namespace <name>', 'Temporal namespace').env('TEMPORAL_NAMESPACE'))
    .addOption(new Option('--task-queue <name>', 'task queue of the Stagecoach worker').env('STAGECOACH_TASK_QUEUE'))
    .addOption(
      new Option(
        '-o, --output <format>',
        'text for people; json (one document) or jsonl (a list one item per line) for scripts',
      ).choices(OUTPUT_FORMATS),
    )
    .option('--json', 'the same as -o json')
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  program.addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 unexpected (e.g. server not reachable), 2 usage error, 3 not found,
4 refused (decision not counted, gate rejected, lock held), 5 the workflow failed.

Examples:
  $ stagecoach server                      # dev server with Web UI on :8233
  $ stagecoach worker                      # a worker on the 'stagecoach' task queue
  $ stagecoach release start --tenant acme --version 1.4 --started-by rita
  $ stagecoach release watch acme/1.4`,
  );
  registerServerCommand(program);
  registerWorkerCommand(program);
  registerCodecCommands(program);
  registerLoginCommand(program);
  registerReleaseCommands(program);
  registerApprovalCommands(program);
  registerLockCommands(program);
  registerBackupCommands(program);
  registerDeployCommands(program);
  registerBundleCommands(program);
  registerPackageCommands(program);
  registerInventoryCommands(program);
  registerVersionCommand(program);
  return program;
}

/** Runs one command line; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[]): Promise<ExitCode> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) return EXIT.ok; // --help, --version
    const options = globalOptions(program);
    const { exitCode, message, resultPrinted } = describeFailure(error, options.address);
    process.stderr.write(`stagecoach: ${message}\n`);
    if (options.json && !resultPrinted) {
      process.stdout.write(`${JSON.stringify({ error: { code: exitCodeName(exitCode), exitCode, message } })}\n`);
    }
    return exitCode;
  }
}
