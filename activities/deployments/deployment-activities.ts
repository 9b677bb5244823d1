import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  type BackOutTenantOutcome,
  type BackOutTenantsInput,
  type DeploymentPreview,
  type PreviewDeploymentInput,
  type PreviewTenant,
  PreparedDeployment,
  PrepareDeploymentInput,
  TenantBatchDeploymentInput,
  TenantBatchResult,
  TenantDeploymentInput,
  TenantDeploymentResult,
  type TenantResult,
} from '../../contracts/deployments';
import type {
  BackupDatabaseInput,
  BackupSummary,
  VerifyDatabaseInput,
  VerifyDatabaseResult,
} from '../../contracts/database';
import {
  DEFAULT_FAILURE_THRESHOLD_PERCENT,
  PlanError,
  planDeployment,
  type DeploymentPlan,
} from '../../domain/deployments/wave-plan';
import { alreadyHasReason } from '../../domain/deployments/deployment-progress';
import { nextOpenWindow } from '../../domain/maintenance-windows';
import { resolveReleaseSettings, SEED_RELEASE_DEFAULTS } from '../../domain/release-settings';
import { validateGateDefinition, type GateDefinition } from '../../domain/gates';
import { membersOf, refusalFor, ROLES } from '../../domain/roles';
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
  /** The release activities' restore of an instance from its own backup, for a wave's back-out. */
  restoreOwnBackup(input: { backupId: number; instance: InstanceRef; workflowId: string }): Promise<unknown>;
  /** Fingerprints of the restored instance equal the backup's. */
  verifyRestoredDatabase(input: VerifyDatabaseInput): Promise<VerifyDatabaseResult>;
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
        reason: alreadyHasReason(`${input.packageId}@${input.version}`, earlier.appliedAt, earlier.workflowId),
        contact,
        changesApplied: 0,
      };
    }
    // docs/mass-deployment-and-promotions.md "Locked targets": a locked instance gets its backup first (named by the
    // deployment, so a retry finds it), and the backup is kept for a back-out of the deployment.
    const { metadataLocked } = await deps.readInstanceFlags({ instance: target });
    const backup =
      metadataLocked || input.backupFirst
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

    async finishDeployment(input: {
      deploymentId: string;
      status: 'finished' | 'cancelled' | 'backed-out';
    }): Promise<void> {
      await deps.deployments.finish(input.deploymentId, input.status, now());
    },

    ...createBackOutActivities(deps),
    ...createPreviewActivities(deps),
  };
}

function createPreviewActivities(deps: DeploymentActivityDependencies) {
  return {
    /**
     * `deploy start --dry-run` (docs/mass-deployment-and-promotions.md "Dry run"): the checks and the plan of
     * prepareDeployment, refused alike, with what each tenant would meet; nothing is written.
     */
    async previewDeployment(input: PreviewDeploymentInput): Promise<DeploymentPreview> {
      const { loaded, plan, gate, skipped } = await planSelection(deps, input);
      const inventory = requireInventory(deps);
      const now = deps.clock.now();
      const { id, version } = loaded.document;
      const waves: DeploymentPreview['waves'] = [];
      let done = 0;
      for (const wave of plan.waves) {
        const tenants: PreviewTenant[] = [];
        for (const tenant of wave.tenants) {
          const earlier = await deps.patchLog.find(instanceKey({ tenant, landscape: input.landscape }), id, version);
          tenants.push({
            tenant,
            ...(earlier ? { skip: alreadyHasReason(`${id}@${version}`, earlier.appliedAt, earlier.workflowId) } : {}),
            ...(plan.dependsOn[tenant] ? { dependsOn: plan.dependsOn[tenant] } : {}),
            nextWindow: nextWindowOf(inventory, tenant, now),
          });
          if (++done % 500 === 0) Context.current().heartbeat({ tenantsDone: done });
        }
        waves.push({ name: wave.name, tenants });
      }
      return {
        package: `${id}@${version}`,
        landscape: input.landscape,
        waves,
        ...(gate ? { gate } : {}),
        ...(input.waves?.soakSeconds ? { soakSeconds: input.waves.soakSeconds } : {}),
        ...(input.waves
          ? { failureThresholdPercent: input.waves.failureThresholdPercent ?? DEFAULT_FAILURE_THRESHOLD_PERCENT }
          : {}),
        skipped: skipped.map((s) => ({ tenant: s.tenant, reason: s.reason ?? 'skipped' })),
      };
    },
  };
}

/** The tenant's next maintenance window from its release settings (docs/approvals-locks-windows.md); null: none set. */
function nextWindowOf(inventory: Inventory, tenant: string, now: Date): PreviewTenant['nextWindow'] {
  const { settings } = resolveReleaseSettings(
    [
      { name: 'release', spec: inventory.release },
      { name: `tenants.${tenant}.release`, spec: inventory.tenants[tenant]?.release },
    ],
    inventory.roles ?? {},
    tenant,
  );
  if (settings.maintenanceWindows.length === 0 && settings.freezes.length === 0) return null;
  const window = nextOpenWindow(now, settings.maintenanceWindows, settings.freezes, tenant);
  return window
    ? { start: window.start.toISOString(), ...(window.end ? { end: window.end.toISOString() } : {}) }
    : null;
}

function createBackOutActivities(deps: DeploymentActivityDependencies) {
  return {
    /**
     * A halted wave's back-out (docs/mass-deployment-and-promotions.md "Waves"), the instance locks held by the caller:
     * each tenant the deployment changed is restored from the backup it took first, verified by
     * fingerprint, and loses the patch log entry the deployment wrote. A retry skips tenants
     * already backed out; a tenant the deployment never changed is left alone.
     */
    async restoreDeploymentBackups(input: BackOutTenantsInput): Promise<BackOutTenantOutcome[]> {
      const deployment = await deps.deployments.get(input.deploymentId);
      if (!deployment) fail(`no mass deployment ${input.deploymentId} in the control database`, 'UnknownDeployment');
      const rows = new Map((await deps.deployments.tenants(input.deploymentId)).map((row) => [row.tenant, row]));
      const outcomes: BackOutTenantOutcome[] = [];
      for (const tenant of input.tenants) {
        outcomes.push(await backOutOne(deps, deployment, rows.get(tenant), { tenant, landscape: input.landscape }));
        Context.current().heartbeat({ tenantsDone: outcomes.length, tenantsTotal: input.tenants.length });
      }
      return outcomes;
    },
  };
}

async function backOutOne(
  deps: DeploymentActivityDependencies,
  deployment: { id: string; packageId: string; packageVersion: string },
  row: TenantResult | undefined,
  instance: InstanceRef,
): Promise<BackOutTenantOutcome> {
  const { tenant } = instance;
  if (row?.status === 'backed-out') return { tenant, status: 'backed-out' };
  if (row?.status !== 'succeeded') return { tenant, status: 'not-applied' };
  if (row.backupId === undefined)
    return { tenant, status: 'failed', reason: `the deployment took no backup of ${instanceKey(instance)}` };
  try {
    await deps.restoreOwnBackup({ backupId: row.backupId, instance, workflowId: deployment.id });
    await deps.verifyRestoredDatabase({ backupId: row.backupId, target: instance });
  } catch (error) {
    return { tenant, status: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }
  await deps.patchLog.removeWrittenBy(
    instanceKey(instance),
    deployment.packageId,
    deployment.packageVersion,
    `${deployment.id}/`,
  );
  const reason = `restored from backup ${row.backupId}, taken by the deployment before it applied, and verified by fingerprint`;
  await deps.deployments.recordTenants(deployment.id, [
    { tenant, status: 'backed-out', reason, finishedAt: deps.clock.now().toISOString(), backupId: row.backupId },
  ]);
  return { tenant, status: 'backed-out' };
}

/** prepareDeployment's work: the package must be published and every selected tenant known. */
async function prepareNewDeployment(
  deps: DeploymentActivityDependencies,
  input: PrepareDeploymentInput,
): Promise<PreparedDeployment> {
  const { loaded, selection, plan, gate, skipped } = await planSelection(deps, input);
  await deps.deployments.create({
    id: input.deploymentId,
    packageSha256: input.packageSha256,
    packageId: loaded.document.id,
    packageVersion: loaded.document.version,
    landscape: input.landscape,
    submitter: input.submitter,
    status: 'running',
    total: selection.length,
    createdAt: deps.clock.now().toISOString(),
  });
  if (skipped.length > 0) await deps.deployments.recordTenants(input.deploymentId, skipped);
  return {
    packageId: loaded.document.id,
    version: loaded.document.version,
    checksum: loaded.checksum,
    tenants: plan.waves.flatMap((wave) => wave.tenants),
    dependsOn: plan.dependsOn,
    ...(input.waves ? { waves: waveBounds(plan, gate) } : {}),
    skipped,
    admins: membersOf(requireInventory(deps).roles ?? {}, ROLES.deploymentAdmin),
  };
}

/**
 * Everything a deployment decides before it writes anything: the package, the selection, the plan
 * and its gate, the tenants left out. Shared by prepareDeployment and the dry run, so both refuse alike.
 */
async function planSelection(
  deps: DeploymentActivityDependencies,
  input: Omit<PrepareDeploymentInput, 'deploymentId'>,
) {
  const now = () => deps.clock.now().toISOString();
  // docs/approvals-locks-windows.md "Who may act": one submission changes many customers' production.
  const refused = refusalFor(
    requireInventory(deps).roles ?? {},
    input.submitter,
    ROLES.deploymentAdmin,
    'start a mass deployment',
  );
  if (refused) fail(`${refused}; nothing deployed`, 'PermissionDenied');
  if (!/^[0-9a-f]{64}$/.test(input.packageSha256 ?? ''))
    fail(`'${input.packageSha256}' is not the SHA-256 of a published package`, 'PackageNotPublished');
  const loaded = await loadPackageRef({ sha256: input.packageSha256 }, deps.packageStore);
  const known = requireInventory(deps).tenants;
  const selection = selectTenants(known, input);
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
  const plan = planOrFail(tenants, known, input);
  const gate = input.waves?.gate ? waveGate(deps, input) : undefined;
  await refuseHighImpactOnLockedTargets(deps, loaded.document, tenants, input.landscape);
  const skipped: TenantResult[] = selection
    .filter((tenant) => !known[tenant].instances[input.landscape])
    .map((tenant) => ({
      tenant,
      status: 'skipped',
      reason: `tenant ${tenant} has no ${input.landscape} instance`,
      finishedAt: now(),
    }));
  return { loaded, selection, plan, gate, skipped };
}

/** The selection: named tenants or all, narrowed by tags (docs/mass-deployment-and-promotions.md "Waves"). */
function selectTenants(
  known: Inventory['tenants'],
  input: Pick<PrepareDeploymentInput, 'tenants' | 'tenantTags'>,
): string[] {
  const selection = input.tenants ?? Object.keys(known).sort();
  const tags = input.tenantTags;
  if (!tags?.length) return selection;
  const tagged = selection.filter((tenant) => known[tenant]?.tags.some((tag) => tags.includes(tag)));
  if (tagged.length === 0)
    fail(
      `no ${input.tenants ? 'selected ' : ''}tenant carries the tag(s) ${tags.join(', ')}; nothing deployed`,
      'NoTenantSelected',
    );
  return tagged;
}

function planOrFail(
  tenants: string[],
  known: Inventory['tenants'],
  input: Pick<PrepareDeploymentInput, 'waves'>,
): DeploymentPlan {
  try {
    return planDeployment(tenants, known, input.waves);
  } catch (error) {
    if (error instanceof PlanError) fail(`${error.message}; nothing deployed`, error.type);
    throw error;
  }
}

function waveBounds(plan: DeploymentPlan, gate: GateDefinition | undefined): NonNullable<PreparedDeployment['waves']> {
  const ends: number[] = [];
  for (const wave of plan.waves) ends.push((ends.at(-1) ?? 0) + wave.tenants.length);
  return { names: plan.waves.map((wave) => wave.name), ends, ...(gate ? { gate } : {}) };
}

/** The gate before each wave: the inventory role's members or named users decide, as at a release's gates. */
function waveGate(
  deps: DeploymentActivityDependencies,
  input: Pick<PrepareDeploymentInput, 'waves' | 'submitter'>,
): GateDefinition {
  const spec = input.waves!.gate!;
  const inventory = requireInventory(deps);
  const roles = inventory.roles ?? {};
  if (spec.role !== undefined && !roles[spec.role])
    fail(`wave gate: no role '${spec.role}' in the inventory's roles; nothing deployed`, 'InvalidGate');
  const definition: GateDefinition = {
    name: 'wave',
    approvers: spec.approvers ?? [],
    ...(spec.role !== undefined ? { role: { name: spec.role, members: roles[spec.role] } } : {}),
    requiredApprovals: spec.requiredApprovals ?? SEED_RELEASE_DEFAULTS.gate.requiredApprovals,
    timeoutSeconds: spec.timeoutSeconds ?? SEED_RELEASE_DEFAULTS.gate.timeoutSeconds,
    onTimeout: SEED_RELEASE_DEFAULTS.gate.onTimeout,
    ...(inventory.trustedKeys ? { trustedKeys: inventory.trustedKeys } : {}),
  };
  const problems = validateGateDefinition(definition, input.submitter);
  if (problems.length > 0) fail(`wave gate: ${problems.join('; ')}; nothing deployed`, 'InvalidGate');
  return definition;
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
