import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { BackupCatalog } from '../../../store/backup-catalog';
import { WORKER_ENV } from '../../../worker/settings';
import { uniqueId } from '../../support/temporal';
import { spawnWorkerProcess, type WorkerProcess } from '../../support/worker-process';
import { createTenantFixture, type TenantFixture } from '../../support/database/tenant-fixture';
import type { CopyBackupResult } from '../../../contracts/database';

const MiB = 1024 * 1024;
const BLOCK = 8 * MiB;
const BLOCKS = 64; // 512 MiB

/** A 512 MiB file of random-looking blocks, written and hashed in one pass (about a second). */
function writeBigBackup(file: string): { size: number; sha256: string } {
  const hash = createHash('sha256');
  const block = randomBytes(BLOCK);
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < BLOCKS; i++) {
    block.writeUInt32BE(i, 0); // every block differs, so an offset mix-up changes the hash
    hash.update(block);
    fs.writeSync(fd, block);
  }
  fs.closeSync(fd);
  return { size: BLOCK * BLOCKS, sha256: hash.digest('hex') };
}

/** Writes the big backup where production's backups go and records it in the catalog. */
async function catalogBigBackup(fixture: TenantFixture) {
  const source = path.join(fixture.dir, 'backups', 'production', 'acme-production-big.db');
  fs.mkdirSync(path.dirname(source), { recursive: true });
  const { size, sha256 } = writeBigBackup(source);
  const entry = await new BackupCatalog(fixture.controlDb).record({
    path: source,
    engine: 'sqlite',
    sizeBytes: size,
    sha256,
    fingerprints: [],
    tenant: 'acme',
    landscape: 'production',
    workflowId: 'test-seed',
    createdAt: new Date().toISOString(),
  });
  return { entry, size, sha256 };
}

/** Polls the running copy until a heartbeat reports at least `atLeast` bytes copied; returns that offset. */
async function waitForHeartbeatOffset(temporal: Client, workflowId: string, atLeast: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const description = await temporal.workflow.getHandle(workflowId).describe();
    const payloads = description.raw.pendingActivities?.[0]?.heartbeatDetails?.payloads;
    const details = payloads?.length ? defaultPayloadConverter.fromPayload<{ offset: number }>(payloads[0]) : undefined;
    if (details && details.offset >= atLeast) return details.offset;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no heartbeat with offset ≥ ${atLeast} within 60 s`);
}

describe('copying a backup survives a SIGKILLed worker', () => {
  let fixture: TenantFixture;
  let connection: Connection;
  let temporal: Client;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    fixture = await createTenantFixture('sqlite', { incidents: 10 });
    connection = await Connection.connect({ address: inject('temporalAddress') });
    temporal = new Client({ connection });
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await connection?.close();
    await fixture?.cleanup();
  });

  it('a new worker resumes from the last heartbeat offset, re-reads less than the file, and the SHA-256 matches', async () => {
    const { entry, size, sha256 } = await catalogBigBackup(fixture);

    const taskQueue = uniqueId('copy-resume').replace('/', '-');
    const settings = {
      temporalAddress: inject('temporalAddress'),
      taskQueue,
      controlDbUrl: path.join(fixture.dir, 'control.db'),
    };
    // Throttled so the copy is still running when the worker dies.
    workers.push(
      await spawnWorkerProcess({
        ...settings,
        env: { [WORKER_ENV.inventory]: fixture.inventoryFile, [WORKER_ENV.copyBandwidth]: '25MB' },
      }),
    );
    const handle = await temporal.workflow.start('copyBackup', {
      taskQueue,
      workflowId: uniqueId('copy-backup'),
      args: [{ backupId: entry.id, tenant: 'acme', target: 'staging' }],
    });

    const offsetAtKill = await waitForHeartbeatOffset(temporal, handle.workflowId, 100 * MiB);
    await workers[0].kill();
    workers.push(await spawnWorkerProcess({ ...settings, env: { [WORKER_ENV.inventory]: fixture.inventoryFile } }));

    const result = (await handle.result()) as CopyBackupResult;
    const destination = path.join(fixture.dir, 'backups', 'staging', 'acme-production-big.db');
    expect(result.path).toBe(destination);
    expect(result.sha256).toBe(sha256);
    expect(result.transfer.resumedFromOffset).toBeGreaterThanOrEqual(offsetAtKill);
    expect(result.transfer.sourceBytesRead).toBe(size - result.transfer.resumedFromOffset);
    expect(result.transfer.sourceBytesRead).toBeLessThan(size);
    expect(createHash('sha256').update(fs.readFileSync(destination)).digest('hex')).toBe(sha256);
    expect(fs.existsSync(`${destination}.partial`)).toBe(false);
  }, 180_000);
});
