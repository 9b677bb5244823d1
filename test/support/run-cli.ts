import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'stagecoach');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON document. */
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The real `stagecoach` binary, as a user runs it: `node bin/stagecoach …`. */
export async function runCli(args: string[], env: Record<string, string> = {}, cwd = root): Promise<CliRun> {
  const child = spawnCli(args, env, cwd);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

export interface LongRunningCli {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first stdout line for which `match` is true. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** SIGTERM, as Ctrl-C or a service manager would; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** A long-running command (`server`, `worker`) in its own process. */
export function startCli(args: string[], env: Record<string, string> = {}): LongRunningCli {
  const child = spawnCli(args, env);
  let stdout = '';
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    waitForLine: (match, timeoutMs = 90_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching line within ${timeoutMs} ms:\n${output}`)),
          timeoutMs,
        );
        const check = () => {
          const line = stdout.split('\n').find(match);
          if (line === undefined) return false;
          clearTimeout(timer);
          resolve(line);
          return true;
        };
        if (check()) return;
        child.stdout!.on('data', check);
        void exited.then((code) => {
          clearTimeout(timer);
          if (!check()) reject(new Error(`exited with ${code} before a matching line:\n${output}`));
        });
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

function spawnCli(args: string[], env: Record<string, string>, cwd = root): ChildProcess {
  return spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
