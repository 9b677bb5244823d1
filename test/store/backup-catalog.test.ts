import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupCatalog, type NewBackupEntry } from '../../store/backup-catalog';
import { openControlDatabase } from '../../store/control-database';
import { createScratchDatabase } from '../support/postgres';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function openControl(engine: 'sqlite' | 'postgres'): Promise<Knex> {
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-catalog-'));
    const knex = await openControlDatabase(path.join(dir, 'control.db'));
    cleanups.push(async () => {
      await knex.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    return knex;
  }
  const scratch = await createScratchDatabase('catalog');
  const knex = await openControlDatabase(scratch.url);
  cleanups.push(async () => {
    await knex.destroy();
    await scratch.drop();
  });
  return knex;
}

const entry = (overrides: Partial<NewBackupEntry> = {}): NewBackupEntry => ({
  path: '/backups/production/acme-production-1.dump',
  engine: 'postgres',
  sizeBytes: 5_000_000_000,
  sha256: 'a'.repeat(64),
  fingerprints: [{ table: 'incidents', rows: 3, checksum: '42' }],
  tenant: 'acme',
  landscape: 'production',
  workflowId: 'copy-database/1',
  createdAt: '2025-06-01T10:00:00.000Z',
  ...overrides,
});

describe.each(['sqlite', 'postgres'] as const)('BackupCatalog on %s', (engine) => {
  it('records a backup with its facts, and re-recording the same path updates it (activity retries)', async () => {
    const catalog = new BackupCatalog(await openControl(engine));
    const first = await catalog.record(entry());
    expect(first).toMatchObject({
      fileName: 'acme-production-1.dump',
      location: '/backups/production',
      sizeBytes: 5_000_000_000,
      copiedFromId: undefined,
    });
    const again = await catalog.record(entry({ sha256: 'b'.repeat(64) }));
    expect(again.id).toBe(first.id);
    expect((await catalog.get(first.id))!.sha256).toBe('b'.repeat(64));
    expect(await catalog.findByPath('/backups/production/acme-production-1.dump')).toEqual(again);
  });

  it('lists an instance newest first, and finds copies by content', async () => {
    const catalog = new BackupCatalog(await openControl(engine));
    const old = await catalog.record(entry({ path: '/b/p/old.dump', createdAt: '2025-05-01T00:00:00.000Z' }));
    const newer = await catalog.record(
      entry({ path: '/b/p/new.dump', createdAt: '2025-06-01T00:00:00.000Z', sha256: 'c'.repeat(64) }),
    );
    await catalog.record(entry({ path: '/b/u/other.dump', landscape: 'uat' }));
    const copy = await catalog.record(
      entry({
        path: '/b/s/new.dump',
        sha256: 'c'.repeat(64),
        copiedFromId: newer.id,
        createdAt: '2025-06-01T00:00:01.000Z',
      }),
    );
    expect((await catalog.listFor('acme', 'production')).map((e) => e.path)).toEqual([
      '/b/s/new.dump',
      '/b/p/new.dump',
      '/b/p/old.dump',
    ]);
    expect((await catalog.findBySha256('c'.repeat(64))).map((e) => e.id)).toEqual([newer.id, copy.id]);
    expect(copy.copiedFromId).toBe(newer.id);
    expect(old.fingerprints).toEqual([{ table: 'incidents', rows: 3, checksum: '42' }]);
  });
});
