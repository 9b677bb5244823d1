import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Knex } from 'knex';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { chromium, type Browser } from 'playwright-core';
import { createActivities } from '../../activities';
import { StagecoachClient } from '../../client';
import { freePort, startDevServer, type DevServer } from '../../dev/dev-server';
import { openControlDatabase } from '../../store/control-database';
import { createWorker } from '../../worker/create-worker';
import { CHROMIUM, CHROMIUM_ARGS, NO_BROWSER, waitForRenderedText } from '../support/browser';

// Headless Chromium opens the dev server's own Web UI on a workflow's page, as a release manager would.
const artifacts = path.resolve(__dirname, '..', '..', 'test-artifacts');

let server: DevServer;
let uiPort: number;
let scratch: string;
let controlDb: Knex;
let connection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let client: StagecoachClient;
let browser: Browser | undefined;

describe.skipIf(NO_BROWSER)('the Web UI in a browser (needs Debian chromium)', () => {
  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-browser-'));
    uiPort = await freePort();
    // The shared test server is headless; this file needs one with its UI.
    server = await startDevServer({ port: await freePort(), uiPort, logFile: path.join(scratch, 'temporal.log') });
    controlDb = await openControlDatabase(path.join(scratch, 'control.db'));
    connection = await NativeConnection.connect({ address: server.address });
    const taskQueue = `browser-${randomUUID()}`;
    worker = await createWorker({
      connection,
      namespace: 'default',
      taskQueue,
      activities: createActivities({ controlDb }),
      workflowBundleCode: fs.readFileSync(inject('workflowBundlePath'), 'utf8'),
    });
    running = worker.run();
    client = await StagecoachClient.connect({ address: server.address, taskQueue });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    worker?.shutdown();
    await running;
    await connection?.close();
    await controlDb?.destroy();
    await server?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('shows a waiting approval on its page: id, status, summary and what it waits for', async () => {
    const workflowId = `approval/acme/uat-push-${randomUUID().slice(0, 8)}`;
    await client.approvals.request(
      workflowId,
      {
        subject: 'acme 1.4: push to UAT',
        requestedBy: 'rita',
        gate: {
          name: 'uat-push',
          approvers: ['alice', 'bob'],
          requiredApprovals: 2,
          timeoutSeconds: 600,
          onTimeout: 'reject',
        },
      },
      { tenant: 'acme', version: '1.4', phase: 'push-to-uat' },
    );
    await client.approvals.decide(workflowId, 'approve', {
      gate: 'uat-push',
      user: 'alice',
      comment: 'UAT data looks right',
    });

    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    await page.getByText(workflowId).first().waitFor({ timeout: 30_000 });
    await page.getByText('Running').first().waitFor({ timeout: 30_000 });
    fs.mkdirSync(artifacts, { recursive: true });
    const screenshot = path.join(artifacts, 'web-ui-approval.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(fs.statSync(screenshot).size).toBeGreaterThan(10_000);

    // The "User Metadata" tab: the summary and details given at start, the current details.
    await page.getByText('User Metadata').first().click();
    await waitForRenderedText(page, 'Approval of gate uat-push: acme 1.4: push to UAT');
    await waitForRenderedText(
      page,
      'Waiting for approval of gate uat-push (round 1): 1 more approval(s) needed from bob.',
    );
    await page.screenshot({ path: path.join(artifacts, 'web-ui-approval-metadata.png'), fullPage: true });
    await page.close();
  });
});
