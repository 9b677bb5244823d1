import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Knex } from 'knex';
import type { TableFingerprint } from '../engines/engine';

export interface BackupEntry {
  id: number;
  /** Absolute path of the file. */
  path: string;
  fileName: string;
  location: string;
  engine: string;
  sizeBytes: number;
  sha256: string;
  /** The data as it is in the file: what a restore is verified against. */
  fingerprints: TableFingerprint[];
  /** The instance the data was backed up from (copies keep the original source). */
  tenant: string;
  landscape: string;
  workflowId: string;
  /** Set on a copy: the entry it was copied from. */
  copiedFromId?: number;
  createdAt: string;
}

export type NewBackupEntry = Omit<BackupEntry, 'id' | 'fileName' | 'location'>;

interface BackupRow {
  id: number | string;
  path_key: string;
  path: string;
  file_name: string;
  location: string;
  engine: string;
  size_bytes: number | string;
  sha256: string;
  fingerprints: string;
  tenant: string;
  landscape: string;
  workflow_id: string;
  copied_from_id: number | string | null;
  created_at: string;
}

/** The backup catalog of the control database (docs/database-operations.md "Backup"). */
export class BackupCatalog {
  constructor(private readonly knex: Knex) {}

  /**
   * Records a file. Names are deterministic per workflow, so a retried activity (or a workflow
   * reset that rewrote the file) finds its path already cataloged and updates that entry.
   */
  async record(entry: NewBackupEntry): Promise<BackupEntry> {
    const absolute = path.resolve(entry.path);
    const row = {
      path_key: pathKey(absolute),
      path: absolute,
      file_name: path.basename(absolute),
      location: path.dirname(absolute),
      engine: entry.engine,
      size_bytes: entry.sizeBytes,
      sha256: entry.sha256,
      fingerprints: JSON.stringify(entry.fingerprints),
      tenant: entry.tenant,
      landscape: entry.landscape,
      workflow_id: entry.workflowId,
      copied_from_id: entry.copiedFromId ?? null,
      created_at: entry.createdAt,
    };
    await this.knex.transaction(async (trx) => {
      const updated = await trx<BackupRow>('backup_catalog').where({ path_key: row.path_key }).update(row);
      if (updated === 0) await trx<BackupRow>('backup_catalog').insert(row);
    });
    return (await this.findByPath(absolute))!;
  }

  async get(id: number): Promise<BackupEntry | undefined> {
    const row = await this.knex<BackupRow>('backup_catalog').where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  async findByPath(file: string): Promise<BackupEntry | undefined> {
    const row = await this.knex<BackupRow>('backup_catalog')
      .where({ path_key: pathKey(path.resolve(file)) })
      .first();
    return row ? fromRow(row) : undefined;
  }

  /** Entries whose file has this content (a file copied by hand keeps its SHA-256). */
  async findBySha256(sha256: string): Promise<BackupEntry[]> {
    const rows = await this.knex<BackupRow>('backup_catalog').where({ sha256 }).orderBy('id');
    return rows.map(fromRow);
  }

  /** Backups of a tenant instance, newest first. */
  async listFor(tenant: string, landscape?: string): Promise<BackupEntry[]> {
    const query = this.knex<BackupRow>('backup_catalog').where({ tenant });
    if (landscape) query.andWhere({ landscape });
    const rows = await query.orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
    return rows.map(fromRow);
  }
}

function pathKey(absolute: string): string {
  return createHash('sha256').update(absolute).digest('hex');
}

function fromRow(row: BackupRow): BackupEntry {
  return {
    id: Number(row.id),
    path: row.path,
    fileName: row.file_name,
    location: row.location,
    engine: row.engine,
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
    fingerprints: JSON.parse(row.fingerprints) as TableFingerprint[],
    tenant: row.tenant,
    landscape: row.landscape,
    workflowId: row.workflow_id,
    copiedFromId: row.copied_from_id === null ? undefined : Number(row.copied_from_id),
    createdAt: row.created_at,
  };
}
