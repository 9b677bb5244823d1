import type { Knex } from 'knex';
import { insertOnce } from './unique-violation';
import { TenantResult } from '../contracts/deployments';

export interface DeploymentRecord {
  id: string;
  packageSha256: string;
  packageId: string;
  packageVersion: string;
  landscape: string;
  submitter: string;
  status: 'running' | 'finished' | 'cancelled' | 'backed-out';
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  createdAt: string;
  finishedAt?: string;
}

interface DeploymentRow {
  id: string;
  package_sha256: string;
  package_id: string;
  package_version: string;
  landscape: string;
  submitter: string;
  status: string;
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  created_at: string;
  finished_at: string | null;
}

/** Mass deployments and their per-tenant results (docs/mass-deployment-and-promotions.md "Mass deployment") in the control database. */
export class DeploymentStore {
  constructor(private readonly knex: Knex) {}

  /** Records a deployment; a retried call finds its own row and leaves it. */
  async create(record: Omit<DeploymentRecord, 'succeeded' | 'failed' | 'skipped' | 'finishedAt'>): Promise<void> {
    await insertOnce(
      this.knex<DeploymentRow>('deployments').insert({
        id: record.id,
        package_sha256: record.packageSha256,
        package_id: record.packageId,
        package_version: record.packageVersion,
        landscape: record.landscape,
        submitter: record.submitter,
        status: record.status,
        total: record.total,
        created_at: record.createdAt,
      }),
    );
  }

  async get(id: string): Promise<DeploymentRecord | undefined> {
    const row = await this.knex<DeploymentRow>('deployments').where({ id }).first();
    return row ? recordOf(row) : undefined;
  }

  /** Writes tenants' final results (idempotent: a retried batch replaces its own rows) and the counts. */
  async recordTenants(deploymentId: string, results: TenantResult[]): Promise<void> {
    await this.knex.transaction(async (trx) => {
      for (let i = 0; i < results.length; i += 200) {
        const chunk = results.slice(i, i + 200);
        await trx('deployment_tenants')
          .where({ deployment_id: deploymentId })
          .whereIn(
            'tenant',
            chunk.map((r) => r.tenant),
          )
          .delete();
        await trx('deployment_tenants').insert(
          chunk.map((r) => ({
            deployment_id: deploymentId,
            tenant: r.tenant,
            status: r.status,
            reason: r.reason ?? null,
            finished_at: r.finishedAt,
            backup_id: r.backupId ?? null,
          })),
        );
      }
      const counts = await trx('deployment_tenants')
        .where({ deployment_id: deploymentId })
        .select('status')
        .count({ n: '*' })
        .groupBy('status');
      const countOf = (status: string) =>
        Number((counts as Array<{ status: string; n: number | string }>).find((c) => c.status === status)?.n ?? 0);
      await trx('deployments')
        .where({ id: deploymentId })
        .update({
          // docs/mass-deployment-and-promotions.md "Waves": a backed-out tenant had succeeded before.
          succeeded: countOf('succeeded') + countOf('backed-out'),
          failed: countOf('failed'),
          skipped: countOf('skipped'),
        });
    });
  }

  async finish(id: string, status: Exclude<DeploymentRecord['status'], 'running'>, finishedAt: string): Promise<void> {
    await this.knex('deployments').where({ id, status: 'running' }).update({ status, finished_at: finishedAt });
  }

  async tenants(deploymentId: string, filter: { status?: TenantResult['status'] } = {}): Promise<TenantResult[]> {
    let query = this.knex('deployment_tenants').where({ deployment_id: deploymentId }).orderBy('tenant');
    if (filter.status) query = query.where({ status: filter.status });
    return (await query).map((row: TenantRow) => ({
      tenant: row.tenant,
      status: row.status,
      reason: row.reason ?? undefined,
      finishedAt: row.finished_at,
      ...(row.backup_id === null ? {} : { backupId: Number(row.backup_id) }),
    }));
  }
}

interface TenantRow {
  tenant: string;
  status: TenantResult['status'];
  reason: string | null;
  finished_at: string;
  backup_id: number | string | null;
}

function recordOf(row: DeploymentRow): DeploymentRecord {
  return {
    id: row.id,
    packageSha256: row.package_sha256,
    packageId: row.package_id,
    packageVersion: row.package_version,
    landscape: row.landscape,
    submitter: row.submitter,
    status: row.status as DeploymentRecord['status'],
    total: Number(row.total),
    succeeded: Number(row.succeeded),
    failed: Number(row.failed),
    skipped: Number(row.skipped),
    createdAt: row.created_at,
    finishedAt: row.finished_at ?? undefined,
  };
}
