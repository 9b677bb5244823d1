import type { Command } from 'commander';
import { StagecoachClient } from '../client';
import { DEFAULT_NAMESPACE, TASK_QUEUE } from '../contracts/temporal-names';
import { DEFAULT_TEMPORAL_ADDRESS, WORKER_ENV } from '../worker/settings';

/** Options every command accepts; unset ones fall back to the worker's environment variables. */
export interface GlobalOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  /** Machine output (`-o json`, `-o jsonl` or `--json`): every command prints its result as JSON. */
  json: boolean;
  /** `-o`, as the Temporal CLI writes it: text (default), json (one document), jsonl (a list one item per line). */
  output: OutputFormat;
}

export const OUTPUT_FORMATS = ['text', 'json', 'jsonl'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function globalOptions(command: Command, env: NodeJS.ProcessEnv = process.env): GlobalOptions {
  const options = command.optsWithGlobals<Partial<GlobalOptions>>();
  // `--json` stays as the alias of `-o json`.
  const output: OutputFormat = options.output ?? (options.json ? 'json' : 'text');
  return {
    address: options.address ?? (env[WORKER_ENV.temporalAddress] || DEFAULT_TEMPORAL_ADDRESS),
    namespace: options.namespace ?? (env[WORKER_ENV.temporalNamespace] || DEFAULT_NAMESPACE),
    taskQueue: options.taskQueue ?? (env[WORKER_ENV.taskQueue] || TASK_QUEUE),
    json: output !== 'text',
    output,
  };
}

/** Runs `use` with a connected client and always closes it. */
export async function withClient<T>(command: Command, use: (client: StagecoachClient) => Promise<T>): Promise<T> {
  const { address, namespace, taskQueue } = globalOptions(command);
  const client = await StagecoachClient.connect({ address, namespace, taskQueue });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/**
 * Prints a command's result: the value as JSON with `--json`, else the human text. Human
 * text is built lazily so `--json` never pays for formatting.
 */
export function emit<T>(command: Command, value: T, human: (value: T) => string): void {
  const { output } = globalOptions(command);
  if (output === 'jsonl' && Array.isArray(value)) {
    for (const item of value) process.stdout.write(`${JSON.stringify(item)}\n`);
  } else if (output !== 'text') {
    process.stdout.write(`${JSON.stringify(value)}\n`);
  } else {
    process.stdout.write(`${human(value)}\n`);
  }
}

/** What the action of a command that talks to the server works with. */
export interface ClientCall<Options = unknown> {
  client: StagecoachClient;
  options: Options;
  command: Command;
  /** `emit` for this command: JSON with --json, else the human text. */
  print<T>(value: T, human: (value: T) => string): void;
}

/**
 * A commander action that runs `run` with a connected client (closed afterwards); the command's
 * arguments follow the call, as commander passes them.
 */
export function clientAction<Options, Args extends unknown[]>(
  run: (call: ClientCall<Options>, ...args: Args) => Promise<void>,
): (...params: unknown[]) => Promise<void> {
  return (...params) => {
    const command = params[params.length - 1] as Command;
    const options = params[params.length - 2] as Options;
    const print = <T>(value: T, human: (value: T) => string) => emit(command, value, human);
    return withClient(command, (client) => run({ client, options, command, print }, ...(params.slice(0, -2) as Args)));
  };
}

/** A command group (`stagecoach release …`) with its subcommands, each added by one function. */
export function commandGroup(
  program: Command,
  name: string,
  description: string,
  subcommands: ((group: Command) => void)[],
): Command {
  const group = program.command(name).description(description);
  for (const add of subcommands) add(group);
  return group;
}

/** Appends an "Examples" section to a command's --help. */
export function withExamples(command: Command, examples: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${examples.map((line) => `  $ ${line}`).join('\n')}\n`);
}

/** Resolves on Ctrl-C or SIGTERM: long-running commands (`codec serve`, `approval serve`) then close what they serve. */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
}
