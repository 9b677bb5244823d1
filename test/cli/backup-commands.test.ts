import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupCatalog, type NewBackupEntry } from '../../store/backup-catalog';
import { openControlDatabase } from '../../store/control-database';
import { runCli } from '../support/run-cli';

// `backup list` reads the control database directly; a real SQLite catalog written by the store.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-cli-backup-'));
const controlDbFile = path.join(scratch, 'control.db');
const backupFile = (name: string) => path.join(scratch, 'backups', name);

/** A catalog entry: an acme/production backup of release 1.4 unless `overrides` says otherwise. */
const backupEntry = (
  overrides: Partial<NewBackupEntry> & Pick<NewBackupEntry, 'path' | 'createdAt'>,
): NewBackupEntry => ({
  engine: 'sqlite',
  sizeBytes: 1_572_864,
  sha256: 'a'.repeat(64),
  fingerprints: [{ table: 'settings', rowCount: 3, checksum: 'abc' }] as never,
  tenant: 'acme',
  landscape: 'production',
  workflowId: 'release/acme/1.4',
  ...overrides,
});

beforeAll(async () => {
  const knex = await openControlDatabase(controlDbFile);
  try {
    const catalog = new BackupCatalog(knex);
    const original = await catalog.record(
      backupEntry({ path: backupFile('acme-production-1.db'), createdAt: '2026-11-20T08:00:00.000Z' }),
    );
    await catalog.record(
      backupEntry({
        path: backupFile('acme-production-1-copy.db'),
        createdAt: '2026-11-20T08:05:00.000Z',
        copiedFromId: original.id,
      }),
    );
    await catalog.record(
      backupEntry({
        path: backupFile('globex-uat-1.db'),
        sizeBytes: 10,
        sha256: 'b'.repeat(64),
        tenant: 'globex',
        landscape: 'uat',
        workflowId: 'release/globex/2.0',
        createdAt: '2026-11-21T08:00:00.000Z',
      }),
    );
  } finally {
    await knex.destroy();
  }
});

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** `stagecoach backup list --tenant acme` against the scratch catalog, with extra options. */
const listAcmeBackups = (...options: string[]) =>
  runCli(['backup', 'list', '--tenant', 'acme', ...options, '--control-db', controlDbFile]);

describe('stagecoach backup list', () => {
  it("lists a tenant's backups newest first, as JSON and as text", async () => {
    const json = await listAcmeBackups('--json');
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

    const text = await listAcmeBackups();
    expect(text.stdout.split('\n')[0]).toMatch(
      /^#\d+  2026-11-20T08:05:00.000Z  acme\/production  1.5 MiB  sha256 aaaaaaaaaaaa…  .*acme-production-1-copy.db  \(release\/acme\/1.4\)  copy of #\d+$/,
    );
  });

  it('filters by landscape, says so when nothing is cataloged, and rejects an unknown landscape', async () => {
    const uat = await listAcmeBackups('--landscape', 'uat');
    expect(uat.code).toBe(0);
    expect(uat.stdout).toBe('No backups of acme are cataloged.\n');
    const bad = await listAcmeBackups('--landscape', 'prod');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^stagecoach: option '--landscape <landscape>' argument 'prod' is invalid/);
  });
});
