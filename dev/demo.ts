// `npm run demo`: starts (or reuses) the dev server and a worker, then runs a whole release of the
// demo tenant (examples/stagecoach.yaml, SQLite databases recreated each run) with demo approvers,
// printing each step. `npm run demo -- --keep` leaves server and worker running.
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import { StagecoachClient } from '../client';
import { isListening, startDevServer, type DevServer } from './dev-server';
import { openControlDatabase } from '../store/control-database';
import { AuditStore } from '../store/audit-store';
import { createWorker } from '../worker/create-worker';
import { TASK_QUEUE } from '../contracts/temporal-names';
import { InventoryTenantDatabases } from '../activities/shared/inventory-tenant-databases';
import { loadInventory } from '../inventory/load-inventory';
import type { Inventory } from '../inventory/inventory';
import type { ReleaseStatus } from '../contracts/releases';
import type { Knex } from 'knex';
import { DEMO_INVENTORY, demoFlags, devOnlySigner, resetDemoDatabases, runDemoRelease } from './demo-release';

const port = Number(process.env.TEMPORAL_PORT ?? 7233);
const uiPort = Number(process.env.TEMPORAL_UI_PORT ?? port + 1000);
const keep = process.argv.includes('--keep');
const stateDir = path.resolve(__dirname, '..', '.stagecoach');

async function main(): Promise<void> {
  // The SDK logs every worker start and bundling step at INFO; the demo prints its own steps.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  fs.mkdirSync(stateDir, { recursive: true });
  let server: DevServer | undefined;
  if (await isListening(port)) {
    console.log(`• Reusing the Temporal server on 127.0.0.1:${port}`);
  } else {
    console.log(`• Starting the Temporal dev server on 127.0.0.1:${port} (Web UI on ${uiPort})`);
    server = await startDevServer({
      port,
      uiPort,
      dbFile: path.join(stateDir, 'temporal.db'),
      logFile: path.join(stateDir, 'temporal.log'),
    });
  }
  const address = `127.0.0.1:${port}`;
  const controlDb = await openControlDatabase(path.join(stateDir, 'control.db'));
  const inventory = loadInventory(DEMO_INVENTORY);
  await resetDemoDatabases(inventory);
  console.log(
    `• Demo tenant 'demo': production, staging and UAT recreated as SQLite files (${DEMO_INVENTORY.replace(`${process.cwd()}/`, '')})`,
  );
  const tenantDatabases = new InventoryTenantDatabases(inventory);
  // Gates count only signed decisions; the demo's key is made for this run (dev only, see devOnlySigner).
  const { signer, trusted } = devOnlySigner();
  console.log(`• Decisions must be signed: trusting the DEV-ONLY key '${trusted.id}', made for this run`);
  const lockConnection = await Connection.connect({ address });
  const connection = await NativeConnection.connect({ address });
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    activities: createActivities({
      controlDb,
      tenantDatabases,
      inventory: { ...inventory, trustedKeys: [trusted] },
      instanceLocks: { temporal: new Client({ connection: lockConnection }), holderCheckSeconds: 5 },
    }),
  });
  const running = worker.run();
  console.log(`• Worker polling task queue '${TASK_QUEUE}' (workflows and activities)`);

  const client = await StagecoachClient.connect({ address });
  const { workflowId, status } = await runDemoRelease(client, stateDir, (line) => console.log(`• ${line}`), signer);
  await printSummary(client, controlDb, inventory, workflowId, status);
  console.log(`Web UI: http://localhost:${uiPort}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);

  await client.close();
  if (keep) {
    console.log('\n--keep: server and worker keep running; Ctrl-C stops them.');
    console.log(`Try: node bin/stagecoach approval list --tenant demo`);
    await running;
  } else {
    worker.shutdown();
    await running;
    await server?.stop();
  }
  await connection.close();
  await lockConnection.close();
  await tenantDatabases.destroyAll();
  await controlDb.destroy();
}

/** What the release did, as the demo's closing lines. */
async function printSummary(
  client: StagecoachClient,
  controlDb: Knex,
  inventory: Inventory,
  workflowId: string,
  status: ReleaseStatus,
): Promise<void> {
  const verified = await client.approvals.verify(workflowId);
  const audit = await new AuditStore(controlDb).listForWorkflow(workflowId);
  console.log(`\nRelease ${status.tenant} ${status.version}: ${status.outcome}.`);
  for (const t of status.timeline) console.log(`  ${t.phase.padEnd(16)} ${t.startedAt}${t.note ? `  ${t.note}` : ''}`);
  console.log(`Backups: ${status.backups.map((b) => `${b.purpose} (#${b.backupId})`).join(', ')}`);
  console.log(
    `Gates: ${status.gates
      .map(
        (g) =>
          `${g.definition.name} ${g.phase} by ${g.decisions
            .filter((d) => d.counted)
            .map((d) => d.user)
            .join(', ')}`,
      )
      .join('; ')}`,
  );
  console.log('Instances now:');
  for (const line of await demoFlags(inventory)) console.log(`  ${line}`);
  console.log(
    `Signatures: ${verified.decisions.filter((d) => d.counted && d.signatureValid).length} counted decision(s) re-verified from the history` +
      `${verified.problems.length ? `; PROBLEMS: ${verified.problems.join('; ')}` : ''} (stagecoach approval verify ${workflowId})`,
  );
  console.log(`Audit: ${audit.length} events in the control database (.stagecoach/control.db)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
