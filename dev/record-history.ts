// Saves a completed workflow's history for the replay test (test/workflows/replay-histories.test.ts):
//   npx tsx dev/record-history.ts <workflow-id> <name> [--run-id <run>] [--address 127.0.0.1:7233]
// writes test/histories/<name>.json. Record a workflow only once it has completed; a workflow
// that never completes (the instance lock) is recorded by the run id of a run that continued
// as new.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--address');
  const address = at >= 0 ? args.splice(at, 2)[1] : (process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233');
  const runAt = args.indexOf('--run-id');
  const runId = runAt >= 0 ? args.splice(runAt, 2)[1] : undefined;
  const [workflowId, name] = args;
  if (!workflowId || !name || !/^[a-z0-9-]+$/.test(name) || (runAt >= 0 && !runId)) {
    throw new Error(
      'usage: record-history.ts <workflow-id> <name: lower-case letters, digits, dashes> [--run-id <run>] [--address host:port]',
    );
  }
  const connection = await Connection.connect({ address });
  try {
    const handle = new Client({ connection }).workflow.getHandle(workflowId, runId);
    const { status } = await handle.describe();
    const closedAs = runId ? ['COMPLETED', 'CONTINUED_AS_NEW'] : ['COMPLETED'];
    if (!closedAs.includes(status.name)) {
      throw new Error(
        `${workflowId}${runId ? ` run ${runId}` : ''} is ${status.name}; record completed workflows (or, by run id, a run that continued as new) only`,
      );
    }
    const file = path.resolve(__dirname, '..', 'test', 'histories', `${name}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // protobufjs's own object form (enum names, longs and bytes as strings): the SDK's
    // historyToJSON trips over two copies of protobufjs in this install.
    const history = temporal.api.history.v1.History.fromObject(await handle.fetchHistory());
    const json = temporal.api.history.v1.History.toObject(history, { longs: String, enums: String, bytes: String });
    // The workflow id travels along: replay needs it (child workflow ids derive from it).
    fs.writeFileSync(file, `${JSON.stringify({ workflowId, ...(withoutMachinePaths(json) as object) }, null, 1)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  } finally {
    await connection.close();
  }
}

/**
 * Replaces this machine's repository and temp directories (in stack traces and in JSON payloads,
 * e.g. package file paths) with placeholders; replay does not compare activity arguments.
 */
function withoutMachinePaths(value: unknown): unknown {
  const roots: [string, string][] = [
    [path.resolve(__dirname, '..'), '<repo>'],
    [fs.realpathSync(os.tmpdir()), '<tmp>'],
    [os.tmpdir(), '<tmp>'],
  ];
  const clean = (text: string) => roots.reduce((t, [root, placeholder]) => t.split(root).join(placeholder), text);
  const walk = (node: unknown, key?: string): unknown => {
    if (typeof node === 'string') {
      if (key !== 'data') return clean(node);
      const decoded = Buffer.from(node, 'base64').toString('utf8');
      const cleaned = clean(decoded);
      return cleaned === decoded ? node : Buffer.from(cleaned, 'utf8').toString('base64');
    }
    if (Array.isArray(node)) return node.map((item) => walk(item, key));
    if (node && typeof node === 'object')
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, k)]));
    return node;
  };
  return walk(value);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
