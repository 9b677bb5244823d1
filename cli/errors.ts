import { CommanderError } from 'commander';
import { ServiceError, WorkflowFailedError } from '@temporalio/client';
import { NoWorkerError, NotFoundError, RefusedError, ServerUnreachableError } from '../client';
import { InventoryError } from '../inventory/inventory';
import { EXIT, type ExitCode } from './exit-codes';

/** An error the CLI reports as one line with a chosen exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** The command already printed its result; with --json, print no error document as well. */
    readonly resultPrinted = false,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(EXIT.usage, message);

/** The exit code and the one line to print for anything a command throws. */
export function describeFailure(
  error: unknown,
  address: string,
): { exitCode: ExitCode; message: string; resultPrinted?: boolean } {
  if (error instanceof CliError)
    return { exitCode: error.exitCode, message: error.message, resultPrinted: error.resultPrinted };
  if (error instanceof CommanderError) {
    // A group named without a subcommand: commander has printed the group's help already.
    if (error.code === 'commander.help')
      return { exitCode: EXIT.usage, message: 'name one of the subcommands listed above' };
    return { exitCode: EXIT.usage, message: `${error.message.replace(/^error: /, '')} (see --help)` };
  }
  if (error instanceof NotFoundError) return { exitCode: EXIT.notFound, message: error.message };
  if (error instanceof RefusedError) return { exitCode: EXIT.refused, message: error.message };
  // An invalid inventory is refused as `inventory validate` refuses it, whichever command read it.
  if (error instanceof InventoryError) return { exitCode: EXIT.refused, message: error.message };
  if (error instanceof ServerUnreachableError) {
    return {
      exitCode: EXIT.unexpected,
      message: `${error.message}. Start one with 'stagecoach server' or pass --address host:port`,
    };
  }
  if (error instanceof NoWorkerError) return { exitCode: EXIT.unexpected, message: error.message };
  if (error instanceof WorkflowFailedError) {
    const cause = error.cause?.message ?? error.message;
    return { exitCode: EXIT.failed, message: `Workflow failed: ${cause}` };
  }
  const message = error instanceof Error ? error.message : String(error);
  // Only a failed call to the server is worth naming the server for.
  return {
    exitCode: EXIT.unexpected,
    message: error instanceof ServiceError ? `${message} (server ${address})` : message,
  };
}
