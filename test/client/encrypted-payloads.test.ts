import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Knex } from 'knex';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { chromium, type Browser } from 'playwright-core';
import { createActivities } from '../../activities';
import { StagecoachClient } from '../../client';
import { startCodecServer, type CodecServer } from '../../client/codec-server';
import { AesGcmPayloadCodec, loadPayloadKeys } from '../../client/payload-codec';
import { freePort, startDevServer, type DevServer } from '../../dev/dev-server';
import { openControlDatabase } from '../../store/control-database';
import { createWorker } from '../../worker/create-worker';
import { CHROMIUM, CHROMIUM_ARGS, NO_BROWSER, waitForRenderedText } from '../support/browser';

// docs/security.md "Encrypted payloads": with the codec on, the dev server's own database file holds no approver
// comment in clear; the Web UI, pointed at the codec endpoint, shows it decoded.
const artifacts = path.resolve(__dirname, '..', '..', 'test-artifacts');
const key = () => randomBytes(32).toString('base64');

describe('the payload codec', () => {
  it('encrypts with the current key and still reads payloads of a rotated-out key; tampering is refused', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-keys-'));
    const [k1, k2] = [key(), key()];
    fs.writeFileSync(path.join(dir, 'old.yaml'), `current: k1\nkeys:\n  k1: ${k1}\n`);
    fs.writeFileSync(path.join(dir, 'new.yaml'), `current: k2\nkeys:\n  k1: ${k1}\n  k2: ${k2}\n`);
    fs.writeFileSync(path.join(dir, 'bad.yaml'), `current: k3\nkeys:\n  k3: c2hvcnQ=\n`);
    const old = new AesGcmPayloadCodec(loadPayloadKeys(path.join(dir, 'old.yaml')));
    const rotated = new AesGcmPayloadCodec(loadPayloadKeys(path.join(dir, 'new.yaml')));
    const plain = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"comment":"fine"}') };

    const [sealed] = await old.encode([plain]);
    expect(Buffer.from(sealed.data!).toString('latin1')).not.toContain('fine');
    expect(Buffer.from(sealed.metadata!['encryption-key-id']).toString()).toBe('k1');
    const [opened] = await rotated.decode([sealed]);
    expect(Buffer.from(opened.data!).toString()).toBe('{"comment":"fine"}');
    const [resealed] = await rotated.encode([plain]);
    expect(Buffer.from(resealed.metadata!['encryption-key-id']).toString()).toBe('k2');
    await expect(old.decode([resealed])).rejects.toThrow(
      "payload encrypted with key 'k2', which is not among the payload keys (k1)",
    );
    const tampered = { ...sealed, data: Buffer.from(sealed.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(rotated.decode([tampered])).rejects.toThrow();
    expect(() => loadPayloadKeys(path.join(dir, 'bad.yaml'))).toThrow('keys.k3: must be 32 bytes in base64');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

let scratch: string;
let server: DevServer;
let codecServer: CodecServer;
let uiPort: number;
let controlDb: Knex;
let connection: NativeConnection;
let worker: Worker;
let plainWorker: Worker;
let running: Promise<void>[];
let client: StagecoachClient;
let plainClient: StagecoachClient;
let browser: Browser | undefined;

describe.skipIf(NO_BROWSER)('encrypted payloads end to end', () => {
  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-codec-'));
    fs.writeFileSync(path.join(scratch, 'keys.yaml'), `current: k1\nkeys:\n  k1: ${key()}\n`);
    const codec = new AesGcmPayloadCodec(loadPayloadKeys(path.join(scratch, 'keys.yaml')));
    uiPort = await freePort();
    codecServer = await startCodecServer({ codec, port: await freePort(), uiOrigins: [`http://localhost:${uiPort}`] });
    server = await startDevServer({
      port: await freePort(),
      uiPort,
      dbFile: path.join(scratch, 'temporal.db'),
      uiCodecEndpoint: codecServer.url,
      logFile: path.join(scratch, 'temporal.log'),
    });
    controlDb = await openControlDatabase(path.join(scratch, 'control.db'));
    connection = await NativeConnection.connect({ address: server.address });
    const [taskQueue, plainQueue] = [`codec-${randomUUID()}`, `plain-${randomUUID()}`];
    const workerOn = (queue: string, payloadCodec?: AesGcmPayloadCodec) =>
      createWorker({
        connection,
        namespace: 'default',
        taskQueue: queue,
        activities: createActivities({ controlDb }),
        workflowBundleCode: fs.readFileSync(inject('workflowBundlePath'), 'utf8'),
        payloadCodec,
      });
    [worker, plainWorker] = await Promise.all([workerOn(taskQueue, codec), workerOn(plainQueue)]);
    running = [worker.run(), plainWorker.run()];
    client = await StagecoachClient.connect({ address: server.address, taskQueue, payloadCodec: codec });
    // The control: a worker and client without the codec, on the same server.
    plainClient = await StagecoachClient.connect({
      address: server.address,
      taskQueue: plainQueue,
      payloadCodec: null,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await plainClient?.close();
    worker?.shutdown();
    plainWorker?.shutdown();
    await Promise.all(running ?? []);
    await connection?.close();
    await controlDb?.destroy();
    await server?.stop();
    await codecServer?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it("keeps the approver's comment out of the server's database; the Web UI shows it through the codec", async () => {
    const secret = `comment-${randomUUID()}`;
    const workflowId = await approved(client, secret);
    // The control: without the codec the same comment lands in the database file in clear.
    const control = `comment-${randomUUID()}`;
    await approved(plainClient, control);
    await expect.poll(() => serverFiles().includes(control), { timeout: 20_000 }).toBe(true);
    expect(serverFiles()).not.toContain(secret);

    const page = await browser!.newPage({ viewport: { width: 1400, height: 1200 } });
    await page.goto(`http://localhost:${uiPort}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
    await page.getByText('Completed').first().waitFor({ timeout: 30_000 });
    await waitForRenderedText(page, secret);
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'web-ui-decoded-payload.png'), fullPage: true });
    await page.close();
  });
});

/** An approval whose result carries the approver's comment. */
async function approved(via: StagecoachClient, comment: string): Promise<string> {
  const workflowId = `approval/acme/codec-${randomUUID().slice(0, 8)}`;
  const gate = {
    name: 'go-live',
    approvers: ['alice'],
    requiredApprovals: 1,
    timeoutSeconds: 600,
    onTimeout: 'reject' as const,
  };
  await via.approvals.request(workflowId, { subject: 'acme 2.0 go-live', requestedBy: 'rita', gate });
  await via.approvals.decide(workflowId, 'approve', { gate: 'go-live', user: 'alice', comment });
  await via.approvals.result(workflowId);
  return workflowId;
}

/** The dev server's database file and its write-ahead log, as bytes read in one string. */
function serverFiles(): string {
  return ['temporal.db', 'temporal.db-wal']
    .map((name) => path.join(scratch, name))
    .filter((file) => fs.existsSync(file))
    .map((file) => fs.readFileSync(file).toString('latin1'))
    .join('');
}
