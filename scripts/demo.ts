// `npm run demo`: starts (or reuses) the dev server and a worker, then runs a release gate with
// demo approvers, printing each step. `npm run demo -- --keep` leaves server and worker running.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from '../activities';
import { StagecoachClient } from '../client';
import { isListening, startDevServer, type DevServer } from '../server/dev-server';
import { openControlDatabase } from '../store/control-database';
import { AuditStore } from '../store/audit-store';
import { createWorker } from '../worker/create-worker';
import { TASK_QUEUE } from '../domain/temporal-names';

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
  const connection = await NativeConnection.connect({ address });
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    activities: createActivities({ controlDb }),
  });
  const running = worker.run();
  console.log(`• Worker polling task queue '${TASK_QUEUE}' (workflows and activities)`);

  const client = await StagecoachClient.connect({ address });
  const workflowId = `approval/demo-tenant/${randomUUID().slice(0, 8)}`;
  await client.requestApproval(
    workflowId,
    {
      subject: 'demo-tenant 1.0: push to UAT',
      requestedBy: 'rita.release-manager',
      gate: { name: 'uat-push', approvers: ['alice', 'bob'], requiredApprovals: 2, timeoutSeconds: 300, onTimeout: 'reject' },
    },
    { tenant: 'demo-tenant', version: '1.0', phase: 'uat-push' },
  );
  console.log(`• rita.release-manager requested approval ${workflowId} (gate uat-push: 2 of alice, bob)`);
  try {
    await client.decide(workflowId, 'approve', { gate: 'uat-push', user: 'rita.release-manager' });
  } catch (error) {
    console.log(`• rita tried to approve her own request and was refused: ${(error as Error).message.replace(/^.*: /, '')}`);
  }
  for (const user of ['alice', 'bob']) {
    const answer = await client.decide(workflowId, 'approve', { gate: 'uat-push', user, comment: 'demo' });
    console.log(`• ${user} approved as a demo approver; approvals still needed: ${answer.approvalsStillNeeded}`);
  }
  const result = await client.approvalResult(workflowId);
  const audit = await new AuditStore(controlDb).listForWorkflow(workflowId);
  console.log(`\nOutcome: ${result.outcome}. Audit trail: ${audit.map((e) => e.kind).join(' → ')}`);
  console.log(`Web UI: http://localhost:${uiPort}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);

  await client.close();
  if (keep) {
    console.log('\n--keep: server and worker keep running; Ctrl-C stops them.');
    console.log(`Try: node bin/stagecoach approval list --tenant demo-tenant`);
    await running;
  } else {
    worker.shutdown();
    await running;
    await server?.stop();
  }
  await connection.close();
  await controlDb.destroy();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
