import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { WORKER_ENV } from '../../worker/settings';

const root = path.resolve(__dirname, '..', '..');

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  /** SIGKILL: no shutdown code runs, as when a machine dies. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** The real worker entry point (worker/main.ts) in its own process. */
export async function spawnWorkerProcess(settings: {
  temporalAddress: string;
  taskQueue: string;
  controlDbUrl: string;
  env?: Record<string, string>;
}): Promise<WorkerProcess> {
  let output = '';
  // `--import tsx` keeps the worker in this one process: the tsx CLI would run it in a child
  // that SIGKILL of the CLI leaves running (an orphan that goes on working and heartbeating).
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'worker/main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      ...settings.env,
      [WORKER_ENV.temporalAddress]: settings.temporalAddress,
      [WORKER_ENV.taskQueue]: settings.taskQueue,
      [WORKER_ENV.controlDb]: settings.controlDbUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within 60 s:\n${output}`)), 60_000);
    child.stdout!.on('data', () => {
      if (output.includes('Worker polling')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${output}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
