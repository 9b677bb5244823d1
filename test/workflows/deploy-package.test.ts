import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRef } from '../../domain/landscapes';
import { openControlDatabase } from '../../store/control-database';
import { PatchLogStore } from '../../store/patch-log-store';
import { form, incremental } from '../support/packages/package-builders';
import { createTenantDatabase, tenantDatabasesOf, type TenantDatabase } from '../support/packages/tenant-fixtures';
import { startTestWorker, uniqueId, type TemporalTestContext } from '../support/temporal';
import type { DeployPackageInput, DeployPackageResult } from '../../contracts/packages';
// The real worker wiring end to end: package activities registered by createActivities,
// the deployPackage workflow from the bundle, a real SQLite tenant database.
const uat: InstanceRef = { tenant: 'acme', landscape: 'uat' };
let ctx: TemporalTestContext;
let controlDb: Knex;
let tenant: TenantDatabase;
let scratch: string;

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-deploy-'));
  controlDb = await openControlDatabase(path.join(scratch, 'control.db'));
  tenant = await createTenantDatabase('sqlite', 'deploy');
  ctx = await startTestWorker({ controlDb, tenantDatabases: tenantDatabasesOf([[uat, tenant.knex]]) });
});

afterAll(async () => {
  await ctx?.stop();
  await tenant?.drop();
  await controlDb?.destroy();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

function packageFile(name: string, document: object): string {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, JSON.stringify(document));
  return file;
}

function deploy(input: DeployPackageInput): Promise<DeployPackageResult> {
  return ctx.client.temporal.workflow.execute('deployPackage', {
    taskQueue: ctx.taskQueue,
    workflowId: uniqueId('package/acme/uat'),
    args: [input],
  });
}

describe('deployPackage workflow', () => {
  it('validates, applies and logs a package; deploying it again is a no-op', async () => {
    const file = packageFile(
      'forms.json',
      incremental('acme-forms', '1.0.0', [form(1, 'Intake Form'), form(2, 'Review Form')]),
    );
    const first = await deploy({
      target: uat,
      package: { path: file },
      previewFile: path.join(scratch, 'preview.json'),
    });
    expect(first.analysis).toMatchObject({
      packageId: 'acme-forms',
      impact: 'low',
      counts: { low: 2, medium: 0, high: 0 },
    });
    expect(first.applied).toMatchObject({ outcome: 'applied', stepsApplied: 2, target: 'acme/uat' });
    expect(fs.existsSync(path.join(scratch, 'preview.json'))).toBe(true);
    expect(
      await tenant.knex('metadata_items').whereIn('name', ['Intake Form', 'Review Form']).count({ n: '*' }),
    ).toEqual([{ n: 2 }]);
    const second = await deploy({ target: uat, package: { path: file } });
    expect(second.applied.outcome).toBe('already-applied');
    expect(await new PatchLogStore(controlDb).listForInstance('acme/uat')).toHaveLength(1);
  });

  it('fails without applying anything when validation finds an error', async () => {
    const file = packageFile(
      'conflict.json',
      incremental('acme-conflict', '1', [form(1, 'Fresh Form'), form(2, 'Local Triage Form')]),
    );
    const run = deploy({ target: uat, package: { path: file } });
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toMatchObject({
      type: 'PackageValidationFailed',
      message: expect.stringContaining('acme-conflict #2: conflict: the target already has Form "Local Triage Form"'),
    });
    expect(await tenant.knex('metadata_items').where({ name: 'Fresh Form' })).toEqual([]);
  });
});
