// `npm run server`: the local Temporal dev server with its Web UI, state kept under .stagecoach/.
import fs from 'node:fs';
import path from 'node:path';
import { isListening, startDevServer } from './dev-server';

async function main(): Promise<void> {
  const port = Number(process.env.TEMPORAL_PORT ?? 7233);
  const uiPort = Number(process.env.TEMPORAL_UI_PORT ?? port + 1000);
  if (await isListening(port)) {
    console.log(`A server already listens on 127.0.0.1:${port}; Web UI: http://localhost:${uiPort}`);
    return;
  }
  const stateDir = path.resolve(__dirname, '..', '.stagecoach');
  fs.mkdirSync(stateDir, { recursive: true });
  const server = await startDevServer({ port, uiPort, dbFile: path.join(stateDir, 'temporal.db') });
  console.log(`Temporal dev server on ${server.address}; Web UI: http://localhost:${uiPort} (Ctrl-C stops it)`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void server.stop().then(() => process.exit(0)));
  }
  await new Promise<void>((resolve) => server.process.once('exit', () => resolve()));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
