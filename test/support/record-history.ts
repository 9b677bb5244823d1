import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Client, Connection } from '@temporalio/client';

/**
 * Writes a workflow's history to test/histories/<name>.json when STAGECOACH_RECORD_HISTORIES is
 * set; the replay test replays every file there against the current workflow code. A completed
 * workflow by default; with `runId`, that run (which may have continued as new). Runs
 * dev/record-history.ts in its own process: protobufjs's JSON conversion does not work
 * inside vitest's module loader.
 */
export async function recordHistory(
  temporal: Client,
  workflowId: string,
  name: string,
  options: { runId?: string } = {},
): Promise<void> {
  if (!process.env.STAGECOACH_RECORD_HISTORIES) return;
  const root = path.resolve(__dirname, '..', '..');
  const address = (temporal.connection as Connection).options.address;
  const run = options.runId ? ['--run-id', options.runId] : [];
  try {
    execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules/tsx/dist/cli.mjs'),
        path.join(root, 'dev/record-history.ts'),
        workflowId,
        name,
        ...run,
        '--address',
        address,
      ],
      {
        cwd: root,
        stdio: 'pipe',
      },
    );
  } catch (error) {
    throw new Error(`recording ${workflowId} failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
  }
}
