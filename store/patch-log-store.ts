import type { Knex } from 'knex';
import { isUniqueViolation } from './unique-violation';

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

/** Which package versions each tenant instance has (SPEC §3 patch log), in the control database. */
export class PatchLogStore {
  constructor(private readonly knex: Knex) {}

  async find(instanceKey: string, packageId: string, packageVersion: string): Promise<PatchLogEntry | undefined> {
    const row = await this.knex<PatchLogRow>('patch_log')
      .where({ instance_key: instanceKey, package_id: packageId, package_version: packageVersion })
      .first();
    return row ? fromRow(row) : undefined;
  }

  /**
   * Records an apply. A retry that finds its own entry is fine; an entry with another checksum
   * is returned so the caller can refuse (two different packages under one id and version).
   */
  async record(entry: PatchLogEntry): Promise<PatchLogEntry> {
    try {
      await this.knex<PatchLogRow>('patch_log').insert({
        instance_key: entry.instanceKey,
        package_id: entry.packageId,
        package_version: entry.packageVersion,
        checksum: entry.checksum,
        impact: entry.impact,
        mode: entry.mode,
        changes_applied: entry.changesApplied,
        workflow_id: entry.workflowId ?? null,
        applied_at: entry.appliedAt,
      });
      return entry;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return (await this.find(entry.instanceKey, entry.packageId, entry.packageVersion))!;
    }
  }

  async listForInstance(instanceKey: string): Promise<PatchLogEntry[]> {
    const rows = await this.knex<PatchLogRow>('patch_log').where({ instance_key: instanceKey }).orderBy('id');
    return rows.map(fromRow);
  }
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
