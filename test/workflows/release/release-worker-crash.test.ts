import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { StagecoachClient } from '../../../client';
import { BackupCatalog } from '../../../store/backup-catalog';
import { PatchLogStore } from '../../../store/patch-log-store';
import { spawnWorkerProcess, type WorkerProcess } from '../../support/worker-process';
import { createReleaseFixture, type ReleaseFixture } from '../../support/release/release-fixture';
import {
  approveGate,
  flagsOf,
  metadataNames,
  releasePackage,
  statusWhen,
  waitingFor,
} from '../../support/release/release-helpers';

// docs/principles.md "Non-negotiables" (nothing is lost): the real worker process dies (SIGKILL) in the middle of a release;
// a new worker takes over and the release continues, with no step done twice.
let fixture: ReleaseFixture;
let worker: WorkerProcess | undefined;
let client: StagecoachClient;
const taskQueue = `release-crash-${randomUUID()}`;

beforeAll(async () => {
  fixture = await createReleaseFixture('sqlite', [{ label: 'crash' }]);
  worker = await spawnWorkerProcess({
    temporalAddress: inject('temporalAddress'),
    taskQueue,
    controlDbUrl: fixture.controlDbFile,
    env: { STAGECOACH_INVENTORY: fixture.inventoryFile, STAGECOACH_LOCK_HOLDER_CHECK_SECONDS: '2' },
  });
  client = await StagecoachClient.connect({ address: inject('temporalAddress'), taskQueue });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await client?.close();
  await fixture?.cleanup();
});

describe('a release survives its worker', () => {
  it(
    'continues on a new worker after the first is killed, with each backup and push done once',
    { timeout: 180_000 },
    async () => {
      const tenant = fixture.tenant('crash');
      const pkg = fixture.packageFile('crash.json', releasePackage('crash-config', '1.0.0'));
      const { workflowId } = await client.releases.start({
        tenant,
        version: '4.0',
        startedBy: 'rita',
        packages: [{ path: pkg }],
      });
      await statusWhen(client, workflowId, waitingFor('gate:uat-push'));

      // The machine dies; the approval arrives by signal while no worker runs. (A moment first, so
      // the gate's mail is not in flight: a lost notify attempt only comes back after its 1-minute timeout.)
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await worker!.kill();
      worker = undefined;
      await client.approvals.signalDecision(workflowId, 'approve', {
        gate: 'uat-push',
        user: 'alice',
        comment: 'while the worker was down',
      });
      const replacement = await fixture.startWorker(taskQueue);

      await approveGate(replacement.client, workflowId, 'production-push', 'carol');
      await approveGate(replacement.client, workflowId, 'go-live', 'bob');
      const result = await replacement.client.releases.result(workflowId);
      expect(result.outcome).toBe('completed');
      expect(result.status.gates.map((g) => g.decisions.filter((d) => d.counted).map((d) => d.user))).toEqual([
        ['alice'],
        ['carol'],
        ['bob'],
      ]);

      const originals = (await new BackupCatalog(fixture.controlDb).listFor(tenant, 'production')).filter(
        (b) => !b.copiedFromId,
      );
      expect(originals.map((b) => b.workflowId).sort()).toEqual(
        [`${workflowId}/afterwards`, `${workflowId}/baseline`, `${workflowId}/production-push-1`].sort(),
      );
      const patchLog = new PatchLogStore(fixture.controlDb);
      expect(await patchLog.listForInstance(`${tenant}/uat`)).toHaveLength(1);
      expect(await patchLog.listForInstance(`${tenant}/production`)).toHaveLength(1);
      expect(await metadataNames(fixture.open(tenant, 'production'))).toContain('Intake Form crash-config');
      expect(await flagsOf(fixture.open(tenant, 'uat'))).toEqual({ metadataLocked: true, maintenanceMode: true });
    },
  );
});
