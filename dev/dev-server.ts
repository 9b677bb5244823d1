import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { SEARCH_ATTRIBUTES, SEARCH_ATTRIBUTE_TYPE } from '../contracts/temporal-names';

export interface DevServerOptions {
  port: number;
  uiPort?: number;
  headless?: boolean;
  /** File that keeps the server's state across restarts; in-memory when absent. */
  dbFile?: string;
  logFile?: string;
  /** The Web UI decodes payloads through this codec endpoint (docs/security.md "Encrypted payloads"). */
  uiCodecEndpoint?: string;
}

export interface DevServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const repoRoot = path.resolve(__dirname, '..');

export function ensureTemporalCli(): string {
  return execFileSync('bash', [path.join(repoRoot, 'dev', 'ensure-temporal.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

export function devServerArgs(options: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  if (options.headless) args.push('--headless');
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  for (const name of Object.values(SEARCH_ATTRIBUTES)) {
    args.push('--search-attribute', `${name}=${SEARCH_ATTRIBUTE_TYPE}`);
  }
  // The server otherwise phones home for version checks, which fails without internet.
  args.push('--dynamic-config-value', 'frontend.enableServerVersionCheck=false');
  // One partition per task queue: a single-node server gains nothing from the default four and
  // pays for them in forwarding between partitions (measured: empty workflows/s 80 → 110).
  args.push(
    '--dynamic-config-value',
    'matching.numTaskqueueReadPartitions=1',
    '--dynamic-config-value',
    'matching.numTaskqueueWritePartitions=1',
  );
  return args;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const cli = ensureTemporalCli();
  const child = spawn(cli, devServerArgs(options), {
    stdio: ['ignore', options.logFile ? 'pipe' : 'inherit', options.logFile ? 'pipe' : 'inherit'],
  });
  if (options.logFile) {
    const { createWriteStream } = await import('node:fs');
    const log = createWriteStream(options.logFile);
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  const address = `127.0.0.1:${options.port}`;
  await waitUntilServing(child, address);
  return {
    address,
    process: child,
    stop: () => stopProcess(child),
  };
}

async function waitUntilServing(child: ChildProcess, address: string): Promise<void> {
  const { Connection } = await import('@temporalio/client');
  const deadline = Date.now() + 60_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`Temporal dev server exited with code ${child.exitCode} before serving on ${address}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      // Search attributes are registered asynchronously after start; wait until they are visible.
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      await connection.close();
      if (SEARCH_ATTRIBUTES.phase in (customAttributes ?? {})) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Temporal dev server did not serve on ${address} within 60 s: ${String(lastError)}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
