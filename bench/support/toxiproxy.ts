// A Toxiproxy server of the bench's own, between the worker and PostgreSQL: production's tenant
// databases are a network hop away from the worker, and netem (root and a kernel module) is not
// always available to add that hop's latency on loopback.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Toxiproxy, type Latency } from 'toxiproxy-node-client';
import { freePort } from '../../dev/dev-server';

export interface LatencyProxy {
  /** Where clients connect instead of the upstream. */
  host: string;
  port: number;
  /** The toxiproxy-server process (its CPU is the network's, not ours). */
  pid: number;
  stop(): Promise<void>;
}

const repoRoot = path.resolve(__dirname, '..', '..');

export function ensureToxiproxyServer(): string {
  return execFileSync('bash', [path.join(repoRoot, 'dev', 'ensure-toxiproxy.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/**
 * Starts toxiproxy-server on a free port with one proxy to `upstream` that delays every chunk by
 * `latencyMs` in each direction, so a round trip costs about twice that more than on loopback.
 */
export async function startLatencyProxy(
  upstream: { host: string; port: number },
  latencyMs: number,
): Promise<LatencyProxy> {
  const apiPort = await freePort();
  const child = spawn(ensureToxiproxyServer(), ['-host', '127.0.0.1', '-port', String(apiPort)], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const stop = () => stopProcess(child);
  try {
    const toxiproxy = new Toxiproxy(`http://127.0.0.1:${apiPort}`);
    await waitForApi(toxiproxy, child);
    const port = await freePort();
    const proxy = await toxiproxy.createProxy({
      name: 'tenant-databases',
      listen: `127.0.0.1:${port}`,
      upstream: `${upstream.host}:${upstream.port}`,
    });
    for (const stream of ['upstream', 'downstream'] as const) {
      await proxy.addToxic<Latency>({
        name: `latency-${stream}`,
        type: 'latency',
        stream,
        toxicity: 1,
        attributes: { latency: latencyMs, jitter: 0 },
      });
    }
    return { host: '127.0.0.1', port, pid: child.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitForApi(toxiproxy: Toxiproxy, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`toxiproxy-server exited with code ${child.exitCode}`);
    try {
      await toxiproxy.getVersion();
      return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`toxiproxy-server did not answer within 15 s: ${String(lastError)}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
