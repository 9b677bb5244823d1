import type { Knex } from 'knex';
import { insertOnce } from './unique-violation';

export interface PatchLogEntry {
  instanceKey: string;
  packageId: string;
  packageVersion: string;
  checksum: string;
  impact: string;
  mode: string;
  changesApplied: number;
  workflowId?: string;
  appliedAt: string;
}

interface PatchLogRow {
  id: number;
  instance_key: string;
  package_id: string;
  package_version: string;
  checksum: string;
  impact: string;
  mode: string;
  changes_applied: number;
  workflow_id: string | null;
  applied_at: string;
}

/** Which package versions each tenant instance has (docs/packages.md "Patch log"), in the control database. */
export class PatchLogStore {
  constructor(private readonly knex: Knex) {}

  async find(instanceKey: string, packageId: string, packageVersion: string): Promise<PatchLogEntry | undefined> {
    const row = await this.knex<PatchLogRow>('patch_log')
      .where({ instance_key: instanceKey, package_id: packageId, package_version: packageVersion })
      .first();
    return row ? fromRow(row) : undefined;
  }

  /** Any instance's entry for this id and version with another checksum: a different package. */
  async findOtherChecksum(
    packageId: string,
    packageVersion: string,
    checksum: string,
  ): Promise<PatchLogEntry | undefined> {
    const row = await this.knex<PatchLogRow>('patch_log')
      .where({ package_id: packageId, package_version: packageVersion })
      .whereNot({ checksum })
      .orderBy('id')
      .first();
    return row ? fromRow(row) : undefined;
  }

  /**
   * Records an apply. An entry with the same checksum is refreshed (a retry, or a re-apply after
   * the database was restored to a state without the package); an entry with another checksum
   * is returned unchanged so the caller can refuse.
   */
  async record(entry: PatchLogEntry): Promise<PatchLogEntry> {
    const row = toRow(entry);
    if (await insertOnce(this.knex<PatchLogRow>('patch_log').insert(row))) return entry;
    const existing = (await this.find(entry.instanceKey, entry.packageId, entry.packageVersion))!;
    if (existing.checksum !== entry.checksum || entry.changesApplied === 0) return existing;
    const { mode, impact, changes_applied, workflow_id, applied_at } = row;
    await this.knex<PatchLogRow>('patch_log')
      .where({ instance_key: row.instance_key, package_id: row.package_id, package_version: row.package_version })
      .update({ mode, impact, changes_applied, workflow_id, applied_at });
    return entry;
  }

  /**
   * Forgets an apply after its instance was restored to a state without it (docs/mass-deployment-and-promotions.md "Waves"),
   * only when the entry was written by a workflow under `workflowIdPrefix`.
   */
  async removeWrittenBy(
    instanceKey: string,
    packageId: string,
    packageVersion: string,
    workflowIdPrefix: string,
  ): Promise<void> {
    // Compared here, not with LIKE: workflow ids may hold % and _, and SQLite's LIKE has no escape by default.
    const row = await this.knex<PatchLogRow>('patch_log')
      .where({ instance_key: instanceKey, package_id: packageId, package_version: packageVersion })
      .first();
    if (row?.workflow_id?.startsWith(workflowIdPrefix)) await this.knex('patch_log').where({ id: row.id }).delete();
  }

  async listForInstance(instanceKey: string): Promise<PatchLogEntry[]> {
    const rows = await this.knex<PatchLogRow>('patch_log').where({ instance_key: instanceKey }).orderBy('id');
    return rows.map(fromRow);
  }
}

function toRow(entry: PatchLogEntry): Omit<PatchLogRow, 'id'> {
  return {
    instance_key: entry.instanceKey,
    package_id: entry.packageId,
    package_version: entry.packageVersion,
    checksum: entry.checksum,
    impact: entry.impact,
    mode: entry.mode,
    changes_applied: entry.changesApplied,
    workflow_id: entry.workflowId ?? null,
    applied_at: entry.appliedAt,
  };
}

function fromRow(row: PatchLogRow): PatchLogEntry {
  return {
    instanceKey: row.instance_key,
    packageId: row.package_id,
    packageVersion: row.package_version,
    checksum: row.checksum,
    impact: row.impact,
    mode: row.mode,
    changesApplied: Number(row.changes_applied),
    workflowId: row.workflow_id ?? undefined,
    appliedAt: row.applied_at,
  };
}
