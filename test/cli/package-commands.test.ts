import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReleaseFixture, type ReleaseFixture } from '../support/release/release-fixture';
import { metadataNames, releasePackage } from '../support/release/release-helpers';
import type { TemporalTestContext } from '../support/temporal';
import { runCli } from '../support/run-cli';

// validate and preview run in the CLI's own process against the tenant's real SQLite database;
// apply goes through the worker.
let fixture: ReleaseFixture;
let ctx: TemporalTestContext;
let tenant: string;
let pkg: string;

beforeAll(async () => {
  fixture = await createReleaseFixture('sqlite', [{ label: 'pkg' }]);
  ctx = await fixture.startWorker();
  tenant = fixture.tenant('pkg');
  pkg = fixture.packageFile('pkg-cli.json', releasePackage('pkg-cli', '1.0.0'));
});

afterAll(async () => {
  await fixture?.cleanup();
});

const local = (...args: string[]) =>
  runCli([...args, '--inventory', fixture.inventoryFile, '--control-db', fixture.controlDbFile]);
// Package files are published into the worker's control database (docs/packages.md "Content stored once").
const cli = (...args: string[]) =>
  runCli(['--address', ctx.address, '--task-queue', ctx.taskQueue, ...args], {
    STAGECOACH_CONTROL_DB: fixture.controlDbFile,
  });

describe('stagecoach package', () => {
  it('validate checks a file on its own and on a target; preview writes the proposed changes', async () => {
    const alone = await runCli(['package', 'validate', pkg, '--json']);
    expect(alone.code).toBe(0);
    expect(alone.json()).toMatchObject({
      packageId: 'pkg-cli',
      version: '1.0.0',
      kind: 'incremental',
      impact: expect.any(String),
    });

    const onUat = await local('package', 'validate', pkg, '--target', `${tenant}/uat`, '--json');
    expect(onUat.stderr).toBe('');
    expect(onUat.json()).toMatchObject({ outcome: 'validated', target: `${tenant}/uat`, errorCount: 0 });

    const out = path.join(fixture.dir, 'preview.json');
    const preview = await local('package', 'preview', pkg, '--target', `${tenant}/uat`, '--out', out);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain(`preview written to ${out}`);
    expect(JSON.stringify(JSON.parse(fs.readFileSync(out, 'utf8')))).toContain('Intake Form pkg-cli');
    expect(await metadataNames(fixture.open(tenant, 'uat'))).not.toContain('Intake Form pkg-cli');
  });

  it('apply goes through the worker: applied, then already-applied; a conflicting target exits 4', async () => {
    const applied = await cli('package', 'apply', pkg, '--target', `${tenant}/uat`, '--json');
    expect(applied.stderr).toBe('');
    expect(applied.json()).toMatchObject({ applied: { outcome: 'applied', target: `${tenant}/uat` } });
    expect(await metadataNames(fixture.open(tenant, 'uat'))).toContain('Intake Form pkg-cli');
    const again = await cli('package', 'apply', pkg, '--target', `${tenant}/uat`, '--json');
    expect(again.json()).toMatchObject({ applied: { outcome: 'already-applied' } });

    // Someone on staging created a form of the same name themselves (docs/packages.md "Conflicts").
    await fixture.open(tenant, 'staging')('metadata_items').insert({
      guid: '00000000-0000-4000-8000-00000000beef',
      object_type: 'Form',
      business_object: 'Incident',
      name: 'Intake Form pkg-cli',
      definition: '{}',
      installed_by_package: null,
      updated_at: 'x',
    });
    const conflict = await cli('package', 'apply', pkg, '--target', `${tenant}/staging`);
    expect(conflict.code).toBe(4);
    expect(conflict.stderr).toMatch(/error\(s\) on .*\/staging/);
    const validate = await local('package', 'validate', pkg, '--target', `${tenant}/staging`);
    expect(validate.code).toBe(4);
    expect(validate.stdout).toMatch(/error {3}pkg-cli #1/);
  });
});

/** The exported items as rows, to compare an instance with another. */
const itemsOf = async (landscape: 'staging' | 'production', guids: string[]) =>
  fixture
    .open(
      tenant,
      landscape,
    )('metadata_items')
    .whereIn('guid', guids)
    .orderBy('guid')
    .select('guid', 'object_type', 'business_object', 'name', 'definition');

describe('stagecoach package export', () => {
  it('exports what staging has and production lacks; applied to production, those items equal staging', async () => {
    const staging = fixture.open(tenant, 'staging');
    await staging('metadata_items').insert({
      guid: '00000000-0000-4000-a000-000000000e01',
      object_type: 'Form',
      business_object: 'Incident',
      name: 'Exported Triage Form',
      definition: JSON.stringify({ layout: 'two-column', sections: ['triage'] }),
      installed_by_package: null,
      updated_at: '2026-12-01T00:00:00.000Z',
    });
    const out = path.join(fixture.dir, 'exported.json');
    const exported = await cli(
      ...['package', 'export', '--from', `${tenant}/staging`, '--base', `${tenant}/production`],
      ...['--id', 'acme-exported', '--version', '1.0.0', '--out', out, '--no-deletions', '--json'],
    );
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.json()).toMatchObject({ packageId: 'acme-exported', outputFile: out });
    const document = JSON.parse(fs.readFileSync(out, 'utf8'));
    const guids: string[] = document.transactionSets.flatMap((set: { changes: { guid: string }[] }) =>
      set.changes.map((c) => c.guid),
    );
    expect(guids).toContain('00000000-0000-4000-a000-000000000e01');
    expect(await itemsOf('production', guids)).not.toEqual(await itemsOf('staging', guids));

    const applied = await cli('package', 'apply', out, '--target', `${tenant}/production`, '--json');
    expect(applied.stderr).toBe('');
    expect(applied.json()).toMatchObject({ applied: { outcome: 'applied' } });
    expect(await itemsOf('production', guids)).toEqual(await itemsOf('staging', guids));
  });

  it('leaves a clear-text secret out of the package and names where it was; a reference travels', async () => {
    await fixture
      .open(
        tenant,
        'staging',
      )('metadata_items')
      .insert({
        guid: '00000000-0000-4000-a000-000000000e02',
        object_type: 'EmailConfiguration',
        business_object: null,
        name: 'Outbound Mail',
        definition: JSON.stringify({ smtp: { host: 'mail.example.com', password: 'hunter2', apiKey: '${SMTP_KEY}' } }),
        installed_by_package: null,
        updated_at: '2026-12-01T00:00:00.000Z',
      });
    const out = path.join(fixture.dir, 'exported-secret.json');
    const run = await cli(
      ...['package', 'export', '--from', `${tenant}/staging`, '--base', `${tenant}/production`],
      ...['--id', 'acme-mail', '--version', '1.0.0', '--out', out, '--no-deletions'],
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /1 clear-text secret\(s\) left out; .*\n {2}EmailConfiguration Outbound Mail \(sequence \d+\): data\.smtp\.password\n/,
    );
    const content = fs.readFileSync(out, 'utf8');
    expect(content).not.toContain('hunter2');
    expect(content).toContain('${SMTP_KEY}');
  });

  it('an instance the inventory lacks exits 4 naming it', async () => {
    const run = await cli(
      ...['package', 'export', '--from', `${tenant}/staging`, '--base', `nobody/production`],
      ...['--id', 'x', '--version', '1', '--out', path.join(fixture.dir, 'x.json')],
    );
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`tenant 'nobody' is not in the inventory`);
  });
});

describe('stagecoach package refusals', () => {
  it('validate exits 4 naming the problems of a broken file', async () => {
    const broken = fixture.packageFile('broken.json', { id: 'broken' });
    const run = await runCli(['package', 'validate', broken]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/^stagecoach: .*broken\.json/);
  });

  it("a file the loader refuses exits 4 with the loader's message through validate, preview and apply alike", async () => {
    const hostile = path.resolve(__dirname, '../fixtures/packages/malformed/system-table-sqlite.json');
    const reason =
      "$.transactionSets[0].changes[0].data.table: table sqlite_master belongs to the database engine's own catalog";
    const before = await metadataNames(fixture.open(tenant, 'uat'));
    for (const run of [
      await runCli(['package', 'validate', hostile]),
      await local('package', 'validate', hostile, '--target', `${tenant}/uat`),
      await local(
        'package',
        'preview',
        hostile,
        '--target',
        `${tenant}/uat`,
        '--out',
        path.join(fixture.dir, 'p.json'),
      ),
      await cli('package', 'apply', hostile, '--target', `${tenant}/uat`),
    ]) {
      expect(run.code).toBe(4);
      expect(run.stderr).toContain(`package ${hostile} is invalid: ${reason}`);
      expect(run.stderr).not.toMatch(/Activity task failed|\n\s+at /);
    }
    expect(await metadataNames(fixture.open(tenant, 'uat'))).toEqual(before);
  });

  it('a file over the size limit exits 4 before it is read, for validate and preview alike', async () => {
    // Sparse: the size is real to stat, the disk holds nothing.
    const huge = path.join(fixture.dir, 'huge.json');
    fs.closeSync(fs.openSync(huge, 'w'));
    fs.truncateSync(huge, 600 * 1024 * 1024);
    for (const run of [
      await runCli(['package', 'validate', huge]),
      await local('package', 'preview', huge, '--target', `${tenant}/uat`, '--out', path.join(fixture.dir, 'h.json')),
    ]) {
      expect(run.code).toBe(4);
      expect(run.stderr).toMatch(new RegExp(`${huge}.* is 629145600 bytes, more than 268435456`));
    }
  });

  it('a package file that does not exist exits 3 naming it, for validate and apply alike', async () => {
    const missing = path.join(fixture.dir, 'no-such-package.json');
    for (const run of [
      await runCli(['package', 'validate', missing]),
      await cli('package', 'apply', missing, '--target', `${tenant}/uat`),
    ]) {
      expect(run.code).toBe(3);
      expect(run.stderr).toBe(`stagecoach: package file ${missing} does not exist\n`);
    }
  });
});
