import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupCatalog } from '../../store/backup-catalog';
import { openControlDatabase } from '../../store/control-database';
import { runCli } from '../support/run-cli';

// `backup list` reads the control database directly; a real SQLite catalog written by the store.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-cli-backup-'));
const controlDbFile = path.join(scratch, 'control.db');
const backupFile = (name: string) => path.join(scratch, 'backups', name);

beforeAll(async () => {
  const knex = await openControlDatabase(controlDbFile);
  try {
    const catalog = new BackupCatalog(knex);
    const fingerprints = [{ table: 'settings', rowCount: 3, checksum: 'abc' }] as never;
    const original = await catalog.record({
      path: backupFile('acme-production-1.db'),
      engine: 'sqlite',
      sizeBytes: 1_572_864,
      sha256: 'a'.repeat(64),
      fingerprints,
      tenant: 'acme',
      landscape: 'production',
      workflowId: 'release/acme/1.4',
      createdAt: '2026-11-20T08:00:00.000Z',
    });
    await catalog.record({
      path: backupFile('acme-production-1-copy.db'),
      engine: 'sqlite',
      sizeBytes: 1_572_864,
      sha256: 'a'.repeat(64),
      fingerprints,
      tenant: 'acme',
      landscape: 'production',
      workflowId: 'release/acme/1.4',
      createdAt: '2026-11-20T08:05:00.000Z',
      copiedFromId: original.id,
    });
    await catalog.record({
      path: backupFile('globex-uat-1.db'),
      engine: 'sqlite',
      sizeBytes: 10,
      sha256: 'b'.repeat(64),
      fingerprints,
      tenant: 'globex',
      landscape: 'uat',
      workflowId: 'release/globex/2.0',
      createdAt: '2026-11-21T08:00:00.000Z',
    });
  } finally {
    await knex.destroy();
  }
});

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('stagecoach backup list', () => {
  it("lists a tenant's backups newest first, as JSON and as text", async () => {
    const json = await runCli(['backup', 'list', '--tenant', 'acme', '--control-db', controlDbFile, '--json']);
    expect(json.code).toBe(0);
    const backups = json.json();
    expect(backups.map((b: { fileName: string }) => b.fileName)).toEqual([
      'acme-production-1-copy.db',
      'acme-production-1.db',
    ]);
    expect(backups[0]).toMatchObject({
      tenant: 'acme',
      landscape: 'production',
      sizeBytes: 1_572_864,
      tables: 1,
      copiedFromId: backups[1].id,
    });
    expect(backups[0].fingerprints).toBeUndefined();

    const text = await runCli(['backup', 'list', '--tenant', 'acme', '--control-db', controlDbFile]);
    expect(text.stdout.split('\n')[0]).toMatch(
      /^#\d+  2026-11-20T08:05:00.000Z  acme\/production  1.5 MiB  sha256 aaaaaaaaaaaa…  .*acme-production-1-copy.db  \(release\/acme\/1.4\)  copy of #\d+$/,
    );
  });

  it('filters by landscape, says so when nothing is cataloged, and rejects an unknown landscape', async () => {
    const uat = await runCli([
      'backup',
      'list',
      '--tenant',
      'acme',
      '--landscape',
      'uat',
      '--control-db',
      controlDbFile,
    ]);
    expect(uat.code).toBe(0);
    expect(uat.stdout).toBe('No backups of acme are cataloged.\n');
    const bad = await runCli([
      'backup',
      'list',
      '--tenant',
      'acme',
      '--landscape',
      'prod',
      '--control-db',
      controlDbFile,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^stagecoach: option '--landscape <landscape>' argument 'prod' is invalid/);
  });
});
