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

const CORPUS = path.resolve(__dirname, '../../fixtures/packages/malformed');
const target: InstanceRef = { tenant: 'acme', landscape: 'uat' };

/** Each malformed or hostile package and the error it must get: JSON path and reason. */
const EXPECTED: Record<string, string> = {
  'bad-json.json': '$: not valid JSON at line 4 column 22',
  'not-an-object.json': '$: must be object, got array',
  'missing-kind.json': '$: missing required property "kind"',
  'unknown-kind.json': '$.kind: must be one of incremental, master, got "delta"',
  'wrong-format-version.json': '$.formatVersion: must be 1, got 2',
  'sequence-as-string.json': '$.transactionSets[0].changes[0].sequence: must be integer, got string "3"',
  'unknown-operation.json': '$.transactionSets[0].changes[0].operation: must be one of C, U, D, got "X"',
  'duplicate-sequence.json':
    '$.transactionSets[1].changes[0].sequence: duplicate sequence number 2 (first at $.transactionSets[0].changes[1])',
  'negative-sequence.json': '$.transactionSets[0].changes[0].sequence: must be >= 1, got -4',
  'missing-guid.json': '$.transactionSets[0].changes[0]: missing required property "guid"',
  'bad-guid.json': '$.transactionSets[0].changes[0].guid: must be a GUID (8-4-4-4-12 hexadecimal digits), got "1234"',
  'unknown-object-type.json': 'got "Trigger"',
  'sql-in-business-object.json':
    '$.transactionSets[0].changes[0].businessObject: must be an identifier: a letter, then letters, digits or underscores (at most 63), got "Incident; DROP TABLE incidents; --"',
  'sql-in-entity-name.json':
    '$.transactionSets[0].changes[0].entityName: must be a name of letters, digits, spaces and . _ # ( ) / & + - (no quotes, semicolons or control characters)',
  'sql-in-table-name.json':
    '$.transactionSets[0].changes[0].data.table: the business object table must be an SQL identifier (letters, digits, underscore), got "assets; drop table api_keys" (sequence 1)',
  'huge-entity-name.json': '$.transactionSets[0].changes[0].entityName: must be at most 255 characters, got 300',
  'master-cycle.json': 'cycle among master sub-packages: release-a → release-b → release-a',
  'master-self-reference.json': 'cycle among master sub-packages: release-a → release-a',
  'unresolved-ref.json': '$.subPackages[0].ref: no package with id "ghost" is defined in this document',
  'duplicate-relative-order.json':
    '$.subPackages[1].relativeOrder: relative order 1 is already used by $.subPackages[0]',
  'prototype-pollution.json':
    '$.transactionSets[0].changes[0].data.layout: data contains the forbidden key "__proto__" (sequence 1)',
  'unknown-property.json': '$.transactionSets[0].changes[0]: unknown property "sql"',
  'create-without-data.json': '$.transactionSets[0].changes[0]: missing required property "data"',
  'schema-change-on-update.json':
    '$.transactionSets[0].changes[0].schemaChange: a schema change is supported only when creating or deleting a BusinessObject, Field or Index, not U of Field (sequence 1)',
  'predicate-with-code.json': '$.subPackages[0].predicate: unknown property "eval"',
  'deeply-nested-data.json': 'data is nested deeper than 32 levels (sequence 1)',
  'inline-and-ref.json': '$.subPackages[0]: must have exactly one of "package" (inline) or "ref"',
  'guid-with-two-types.json':
    '$.transactionSets[0].changes[1].guid: GUID 11111111-2222-4333-8444-555555555001 is a Form at $.transactionSets[0].changes[0] but a Role here',
  'duplicate-package-id.json': '$.subPackages[1].package.id: package id "acme-forms" is defined twice',
  'field-without-business-object.json':
    '$.transactionSets[0].changes[0]: a Field change needs "businessObject" (sequence 1)',
  'validation-list-without-values.json': '$.transactionSets[0].changes[0].data.values: a ValidationList needs "values"',
  'validation-list-name-too-long.json':
    '$.transactionSets[0].changes[0].entityName: a ValidationList name must be at most 128 characters, got 200 (sequence 1)',
  'path-in-package-id.json': '$.id: must be a package id: letters, digits, . _ - (at most 100), got "../../etc/passwd"',
  'deeply-nested-predicate.json': 'the document is nested deeper than 128 levels',
  'deeply-nested-master.json': 'the document is nested deeper than 128 levels',
  'system-table-sqlite.json':
    "$.transactionSets[0].changes[0].data.table: table sqlite_master belongs to the database engine's own catalog; a business object cannot map it (sequence 1)",
  'system-table-postgres.json':
    "$.transactionSets[0].changes[0].data.table: table pg_authid belongs to the database engine's own catalog",
  'system-table-sqlserver.json':
    "$.transactionSets[0].changes[0].data.table: table sysobjects belongs to the database engine's own catalog",
  'stored-field-bad-type.json':
    '$.transactionSets[0].changes[0].data.dataType: dataType must be one of string, text, integer',
};

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
