import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../../activities';
import type { InstanceRef } from '../../../domain/landscapes';
import { openControlDatabase } from '../../../store/control-database';
import { PatchLogStore } from '../../../store/patch-log-store';
import { QUIET } from '../../support/packages/activity-harness';
import { fingerprint } from '../../support/packages/fingerprint';
import { change, incremental, form } from '../../support/packages/package-builders';
import {
  createTenantDatabase,
  INCIDENT_BO_GUID,
  TARGET_CREATED_GUID,
  tenantDatabasesOf,
  type TenantDatabase,
} from '../../support/packages/tenant-fixtures';
import type { ApplyPackageInput } from '../../../contracts/packages';
import { CORPUS, EXPECTED } from '../../support/packages/malformed-corpus';

const target: InstanceRef = { tenant: 'acme', landscape: 'uat' };

let scratch: string;
let controlDb: Knex;
let tenant: TenantDatabase;
let activities: ReturnType<typeof createActivities>;

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-corpus-'));
  controlDb = await openControlDatabase(path.join(scratch, 'control.db'));
  tenant = await createTenantDatabase('sqlite', 'corpus');
  activities = createActivities({ controlDb, tenantDatabases: tenantDatabasesOf([[target, tenant.knex]]) });
});

afterAll(async () => {
  await tenant?.drop();
  await controlDb?.destroy();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function expectRefused(
  input: Omit<ApplyPackageInput, 'target' | 'mode'>,
  type: string,
  ...messageParts: string[]
): Promise<void> {
  const before = await fingerprint(tenant.knex);
  const run = new MockActivityEnvironment(undefined, { logger: QUIET }).run(activities.applyPackage, {
    target,
    mode: 'validateThenApply' as const,
    ...input,
  });
  const failure = await run.then(
    () => undefined,
    (error: unknown) => error as { type: string; nonRetryable: boolean; message: string },
  );
  expect(failure).toMatchObject({ type, nonRetryable: true });
  for (const part of messageParts) expect(failure!.message).toContain(part);
  expect(await fingerprint(tenant.knex)).toEqual(before);
  expect(await new PatchLogStore(controlDb).listForInstance('acme/uat')).toEqual([]);
}

describe('malformed and hostile packages', () => {
  it('the corpus has at least 20 packages, each with its expected error', () => {
    const files = fs
      .readdirSync(CORPUS)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, message] of Object.entries(EXPECTED)) {
    it(`${file}: refused with "${message.slice(0, 60)}…", target unchanged`, async () => {
      await expectRefused(
        { package: { path: path.join(CORPUS, file) } },
        'PackageInvalid',
        `package ${path.join(CORPUS, file)} is invalid: `,
        message,
      );
    });
  }

  it('a change whose data is over 1 MB is refused', async () => {
    const file = path.join(scratch, 'huge-data.json');
    fs.writeFileSync(
      file,
      JSON.stringify(incremental('acme-forms', '1', [form(1, 'Big', { blob: 'x'.repeat(1_100_000) })])),
    );
    await expectRefused(
      { package: { path: file } },
      'PackageInvalid',
      '$.transactionSets[0].changes[0].data: data is 1100011 bytes, more than the 1048576 allowed per change (sequence 1)',
    );
  });

  it('deleting a business object its forms still name is refused, naming them; the target keeps both', async () => {
    const file = path.join(scratch, 'delete-incident.json');
    const deletion = change(1, {
      operation: 'D',
      objectType: 'BusinessObject',
      entityName: 'Incident',
      guid: INCIDENT_BO_GUID,
    });
    fs.writeFileSync(file, JSON.stringify(incremental('acme-cleanup', '1', [deletion])));
    await expectRefused(
      { package: { path: file } },
      'PackageValidationFailed',
      `#1: cannot delete BusinessObject "Incident" (GUID ${INCIDENT_BO_GUID}): 1 item(s) still belong to it (Form "Local Triage Form" on Incident (GUID ${TARGET_CREATED_GUID})); delete them earlier in the package`,
    );
  });

  it('a predicate nested 100,000 deep is refused by path, without overflowing the stack', async () => {
    const file = path.join(scratch, 'abyss.json');
    const predicate = `${'{"not":'.repeat(100_000)}{"landscape":"uat"}${'}'.repeat(100_000)}`;
    const inner = JSON.stringify(incremental('inner', '1', []));
    fs.writeFileSync(
      file,
      `{"formatVersion":1,"kind":"master","id":"abyss","version":"1","subPackages":[{"relativeOrder":1,"predicate":${predicate},"package":${inner}}]}`,
    );
    await expectRefused(
      { package: { path: file } },
      'PackageInvalid',
      `$.subPackages[0].predicate${'.not'.repeat(125)}: the document is nested deeper than 128 levels`,
    );
  });

  it('a missing file and an unknown content hash are refused, naming what was asked for', async () => {
    await expectRefused(
      { package: { path: path.join(scratch, 'nope.json') } },
      'PackageNotFound',
      `package file ${path.join(scratch, 'nope.json')} does not exist`,
    );
    await expectRefused(
      { package: { sha256: 'ab'.repeat(32) } },
      'PackageNotFound',
      `package sha256:${'ab'.repeat(32)} is not in the control database's packages table`,
    );
  });
});
