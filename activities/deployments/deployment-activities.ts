import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  PreparedDeployment,
  PrepareDeploymentInput,
  TenantBatchDeploymentInput,
  TenantBatchResult,
  TenantDeploymentInput,
  TenantDeploymentResult,
  type TenantResult,
} from '../../contracts/deployments';
import type { BackupDatabaseInput, BackupSummary } from '../../contracts/database';
import type { ApplyPackageInput, PackageReport } from '../../contracts/packages';
import { instanceKey, type InstanceRef } from '../../domain/landscapes';
import { analyzePackageImpact } from '../../domain/packages/impact-analysis';
import type { PackageDocument } from '../../domain/packages/package-types';
import type { Inventory } from '../../inventory/inventory';
import type { DeploymentStore } from '../../store/deployment-store';
import type { PackageStore } from '../../store/package-store';
import type { PatchLogStore } from '../../store/patch-log-store';
import type { Clock } from '../audit/record-audit-event';
import { loadPackageRef } from '../packages/package-source';

export interface DeploymentActivityDependencies {
  inventory(): Inventory | undefined;
  packageStore: PackageStore;
  patchLog: PatchLogStore;
  deployments: DeploymentStore;
  /** The package activities' applyPackage, run inside our activity (same context, same heartbeat). */
  applyPackage(input: ApplyPackageInput): Promise<PackageReport>;
  /** The instance-flag activities' reader: whether a target's metadata is locked. */
  readInstanceFlags(input: { instance: InstanceRef }): Promise<{ metadataLocked: boolean }>;
  /** The database activities' `live` backup, run inside our activity before applying to a locked target. */
  backupDatabase(input: BackupDatabaseInput): Promise<BackupSummary>;
  clock: Clock;
}

export function createDeploymentActivities(deps: DeploymentActivityDependencies) {
  const now = () => deps.clock.now().toISOString();
  const inventory = () => requireInventory(deps);
  // One tenant; a tenant that had this package before the deployment is skipped, and a retry
  // of our own apply finds the patch log entry written under this workflow id.
  const deployToOne = async (input: TenantDeploymentInput): Promise<TenantDeploymentResult> => {
    const target = { tenant: input.tenant, landscape: input.landscape };
    const contact = inventory().tenants[input.tenant]?.contact;
    const workflowId = Context.current().info.workflowExecution?.workflowId;
    const earlier = await deps.patchLog.find(instanceKey(target), input.packageId, input.version);
    if (earlier && earlier.workflowId !== workflowId) {
      return {
        status: 'skipped',
        reason: `already has ${input.packageId}@${input.version} (applied ${earlier.appliedAt}${earlier.workflowId ? ` by ${earlier.workflowId}` : ''})`,
        contact,
        changesApplied: 0,
      };
    }
    // docs/mass-deployment-and-promotions.md "Locked targets": a locked instance gets its backup first (named by the
    // deployment, so a retry finds it), and the backup is kept for a back-out of the deployment.
    const { metadataLocked } = await deps.readInstanceFlags({ instance: target });
    const backup = metadataLocked
      ? await deps.backupDatabase({ instance: target, workflowId: input.deploymentId })
      : undefined;
    const report = await deps.applyPackage({
      target,
      package: { sha256: input.packageSha256 },
      mode: 'validateThenApply',
      ...(backup ? { backupId: String(backup.backupId) } : {}),
    });
    return { status: 'succeeded', contact, changesApplied: report.stepsApplied, backupId: backup?.backupId };
  };

  return {
    /** Checks the package is published and the selection is known, records the deployment. */
    async prepareDeployment(input: PrepareDeploymentInput): Promise<PreparedDeployment> {
      return prepareNewDeployment(deps, input);
    },

    /**
     * Validates and applies the package on one tenant instance (one transaction, docs/packages.md "Apply"). A
     * tenant that had this package before the deployment is skipped; a retry of our own apply
     * finds the patch log entry written under this workflow id and counts as success.
     */
    async deployPackageToTenant(input: TenantDeploymentInput): Promise<TenantDeploymentResult> {
      return deployToOne(input);
    },

    /**
     * A batch's tenants whose instance locks are held, one after the other (SQLite and most
     * tenant databases gain nothing from running side by side in one process). Each tenant gets
     * its own result: a failure is that tenant's, retried here a few times when it may pass on
     * a retry, so one bad tenant never fails its batch. After a crash the activity's retry
     * finds the tenants it already did in the patch log under this workflow id.
     */
    async deployPackageToTenants(input: TenantBatchDeploymentInput): Promise<TenantBatchResult[]> {
      const results: TenantBatchResult[] = [];
      for (const tenant of input.tenants) {
        results.push(await deployWithRetries(() => deployToOne({ ...input, tenant }), tenant));
        Context.current().heartbeat({ tenantsDone: results.length, tenantsTotal: input.tenants.length });
      }
      return results;
    },

    async recordDeploymentTenants(input: { deploymentId: string; results: TenantResult[] }): Promise<void> {
      await deps.deployments.recordTenants(input.deploymentId, input.results);
    },

    async finishDeployment(input: { deploymentId: string; status: 'finished' | 'cancelled' }): Promise<void> {
      await deps.deployments.finish(input.deploymentId, input.status, now());
    },
  };
}

/** prepareDeployment's work: the package must be published and every selected tenant known. */
async function prepareNewDeployment(
  deps: DeploymentActivityDependencies,
  input: PrepareDeploymentInput,
): Promise<PreparedDeployment> {
  const now = () => deps.clock.now().toISOString();
  if (!/^[0-9a-f]{64}$/.test(input.packageSha256 ?? ''))
    fail(`'${input.packageSha256}' is not the SHA-256 of a published package`, 'PackageNotPublished');
  const loaded = await loadPackageRef({ sha256: input.packageSha256 }, deps.packageStore);
  const known = requireInventory(deps).tenants;
  const selection = input.tenants ?? Object.keys(known).sort();
  const unknown = selection.filter((tenant) => !known[tenant]);
  if (unknown.length > 0)
    fail(
      `tenant(s) not in the inventory: ${unknown.slice(0, 20).join(', ')}${unknown.length > 20 ? ` and ${unknown.length - 20} more` : ''}; nothing deployed`,
      'UnknownTenant',
    );
  const duplicates = selection.filter((tenant, i) => selection.indexOf(tenant) !== i);
  if (duplicates.length > 0)
    fail(`tenant(s) selected twice: ${[...new Set(duplicates)].join(', ')}`, 'DuplicateTenant');
  const tenants = selection.filter((tenant) => known[tenant].instances[input.landscape]);
  await refuseHighImpactOnLockedTargets(deps, loaded.document, tenants, input.landscape);
  const skipped: TenantResult[] = selection
    .filter((tenant) => !known[tenant].instances[input.landscape])
    .map((tenant) => ({
      tenant,
      status: 'skipped',
      reason: `tenant ${tenant} has no ${input.landscape} instance`,
      finishedAt: now(),
    }));
  await deps.deployments.create({
    id: input.deploymentId,
    packageSha256: input.packageSha256,
    packageId: loaded.document.id,
    packageVersion: loaded.document.version,
    landscape: input.landscape,
    submitter: input.submitter,
    status: 'running',
    total: selection.length,
    createdAt: now(),
  });
  if (skipped.length > 0) await deps.deployments.recordTenants(input.deploymentId, skipped);
  return {
    packageId: loaded.document.id,
    version: loaded.document.version,
    checksum: loaded.checksum,
    tenants,
    skipped,
  };
}

const FLAG_READS_AT_ONCE = 16;

/**
 * docs/mass-deployment-and-promotions.md "Locked targets": a high-impact package is never applied to an instance with
 * its metadata locked, so such a deployment is refused before anything runs, naming the tenants.
 */
async function refuseHighImpactOnLockedTargets(
  deps: DeploymentActivityDependencies,
  document: PackageDocument,
  tenants: string[],
  landscape: PrepareDeploymentInput['landscape'],
): Promise<void> {
  if (analyzePackageImpact(document).level !== 'high') return;
  const locked: string[] = [];
  for (let i = 0; i < tenants.length; i += FLAG_READS_AT_ONCE) {
    const chunk = tenants.slice(i, i + FLAG_READS_AT_ONCE);
    const flags = await Promise.all(chunk.map((tenant) => deps.readInstanceFlags({ instance: { tenant, landscape } })));
    chunk.forEach((tenant, j) => flags[j].metadataLocked && locked.push(tenant));
    Context.current().heartbeat({ step: 'metadata locks', done: i + chunk.length, total: tenants.length });
  }
  if (locked.length === 0) return;
  fail(
    `package ${document.id}@${document.version} is high impact and the ${landscape} metadata of ${locked.length} tenant(s) is locked, where a high-impact package can only be validated: ${locked.slice(0, 20).join(', ')}${locked.length > 20 ? ` and ${locked.length - 20} more` : ''}; nothing deployed`,
    'MetadataLocked',
  );
}

function requireInventory(deps: DeploymentActivityDependencies): Inventory {
  return (
    deps.inventory() ??
    fail('mass deployment needs the inventory (STAGECOACH_INVENTORY) to know the tenants', 'NoInventory')
  );
}

const TENANT_ATTEMPTS = 3;

async function deployWithRetries(
  deploy: () => Promise<TenantDeploymentResult>,
  tenant: string,
): Promise<TenantBatchResult> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const result = await deploy();
      if (result.status === 'skipped')
        return { tenant, status: 'skipped', reason: result.reason ?? 'skipped', contact: result.contact };
      return { tenant, status: 'succeeded', contact: result.contact, backupId: result.backupId };
    } catch (error) {
      const final = (error instanceof ApplicationFailure && error.nonRetryable) || attempt >= TENANT_ATTEMPTS;
      if (final) return { tenant, status: 'failed', reason: error instanceof Error ? error.message : String(error) };
      await Context.current().sleep(500 * 2 ** (attempt - 1));
    }
  }
}

function fail(message: string, type: string): never {
  throw ApplicationFailure.nonRetryable(message, type);
}

export type { TenantResult } from '../../contracts/deployments';
