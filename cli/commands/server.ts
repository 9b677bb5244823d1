import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { isListening, startDevServer } from '../../dev/dev-server';
import { emit, withExamples } from '../context';
import { parsePort } from '../parse';

interface ServerOptions {
  port: number;
  uiPort?: number;
  dbFile: string;
  inMemory?: boolean;
  headless?: boolean;
  uiCodecEndpoint?: string;
}

export interface ServerStarted {
  address: string;
  /** Absent when headless. */
  webUi?: string;
  /** True when a server already listened on the port and was left as it is. */
  reused: boolean;
}

export function registerServerCommand(program: Command): void {
  const command = program
    .command('server')
    .description('start the local Temporal dev server with its Web UI (reuses one already listening)')
    .addOption(new Option('--port <port>', 'gRPC port').argParser(parsePort).env('TEMPORAL_PORT').default(7233))
    .addOption(
      new Option('--ui-port <port>', 'Web UI port (default: port + 1000)').argParser(parsePort).env('TEMPORAL_UI_PORT'),
    )
    .option('--db-file <file>', 'file that keeps the server state', path.join('.stagecoach', 'temporal.db'))
    .option('--in-memory', 'keep no state across restarts')
    .option('--headless', 'no Web UI')
    .option('--ui-codec-endpoint <url>', "the Web UI decodes payloads through it ('stagecoach codec serve')")
    .action(async (options: ServerOptions, command: Command) => runServer(options, command));
  withExamples(command, [
    'stagecoach server',
    'stagecoach server --port 7300 --ui-port 8300 --in-memory',
    'stagecoach server --json   # prints {"address":…,"webUi":…} once serving',
  ]);
}

async function runServer(options: ServerOptions, command: Command): Promise<void> {
  const uiPort = options.headless ? undefined : (options.uiPort ?? options.port + 1000);
  const webUi = uiPort ? `http://localhost:${uiPort}` : undefined;
  const address = `127.0.0.1:${options.port}`;
  if (await isListening(options.port)) {
    emit<ServerStarted>(
      command,
      { address, webUi, reused: true },
      () => `A server already listens on ${address}${webUi ? `; Web UI: ${webUi}` : ''}`,
    );
    return;
  }
  const dbFile = options.inMemory ? undefined : path.resolve(options.dbFile);
  if (dbFile) fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  const server = await startDevServer({
    port: options.port,
    uiPort,
    headless: options.headless,
    dbFile,
    uiCodecEndpoint: options.uiCodecEndpoint,
  });
  emit<ServerStarted>(
    command,
    { address: server.address, webUi, reused: false },
    () => `Temporal dev server on ${server.address}${webUi ? `; Web UI: ${webUi}` : ''} (Ctrl-C stops it)`,
  );
  const stopped = new Promise<void>((resolve) => server.process.once('exit', () => resolve()));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.stop());
  await stopped;
}
