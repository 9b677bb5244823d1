import fs from 'node:fs';
import { AcceptanceLogResult, ResolveReleaseSettingsInput } from '../../contracts/releases';
import { validateGateDefinition } from '../../domain/gates';
import { hasRole, ROLES } from '../../domain/roles';
import { instanceKey, type InstanceRef } from '../../domain/landscapes';
import { validateFreeze, validateMaintenanceWindow } from '../../domain/maintenance-windows';
import { describePackageRef, type PackageRef } from '../../domain/packages/package-types';
import { resolveReleaseSettings as mergeSettings, type ReleaseSettings } from '../../domain/release-settings';
import { landscapesOf, releaseInputProblems } from '../../domain/releases';
import { describeDatabase } from '../../engines/engine';
import type { Inventory } from '../../inventory/inventory';
import type { PackageStore } from '../../store/package-store';
import {
  requireBackup,
  withTenantDatabases,
  type DatabaseActivityDependencies,
} from '../database/database-dependencies';
import { runCleanupScripts } from '../database/post-restore-fixups';
import { loadPackageRef } from '../packages/package-source';
import { appliedMarker } from '../packages/target-reader';
import { cancellationSignal, heartbeatProgress } from '../shared/activity-context';
import { scratchDatabaseName } from '../shared/backup-names';
import { nonRetryable } from '../shared/database-failures';
import { sha256OfFile } from '../shared/file-transfer';

export interface ReleaseActivityDependencies extends DatabaseActivityDependencies {
  inventory: () => Inventory | undefined;
  packageStore: PackageStore;
}

/** docs/releases.md "Acceptance": configuration-related failures in the tenant's log block acceptance. */
const CONFIGURATION_ERROR = { level: 'error', category: 'configuration' };

export function createReleaseActivities(deps: ReleaseActivityDependencies) {
  return {
    ...createReleaseSettingsActivities(deps),
    ...createReleaseCheckActivities(deps),
    ...createProductionPushActivities(deps),
  };
}

/** The release's settings, merged from their layers and checked. */
export function createReleaseSettingsActivities(deps: ReleaseActivityDependencies) {
  return {
    /**
     * The release's settings: built-in defaults ← inventory `release` ← tenant `release` ← the
     * release's own overrides, roles resolved to members. Refuses (naming every problem) a
     * tenant that lacks an instance the variant needs, or gates nobody can pass.
     */
    async resolveReleaseSettings(input: ResolveReleaseSettingsInput): Promise<ReleaseSettings> {
      const inventory = deps.inventory();
      if (!inventory)
        throw nonRetryable(
          'InventoryNotConfigured',
          'this worker has no inventory: set STAGECOACH_INVENTORY to the path of stagecoach.yaml',
        );
      const tenant = inventory.tenants[input.tenant];
      if (!tenant)
        throw nonRetryable(
          'UnknownTenant',
          `tenant '${input.tenant}' is not in the inventory ${inventory.file} (known: ${Object.keys(inventory.tenants).join(', ') || 'none'})`,
        );
      const problems = releaseInputProblems({
        tenant: input.tenant,
        version: input.version,
        startedBy: input.startedBy,
        variant: input.variant,
        templatePackage: { path: '-' },
        goLiveDate: '2000-01-01',
      });
      for (const landscape of landscapesOf(input.variant)) {
        if (!tenant.instances[landscape])
          problems.push(
            `tenants.${input.tenant}.instances.${landscape}: a ${input.variant} release needs a ${landscape} instance`,
          );
      }
      const { settings, problems: settingProblems } = mergeSettings(
        [
          { name: 'release', spec: inventory.release },
          { name: `tenants.${input.tenant}.release`, spec: tenant.release },
          { name: 'input.settings', spec: input.overrides },
        ],
        inventory.roles ?? {},
        input.tenant,
      );
      problems.push(...settingProblems);
      // docs/approvals-locks-windows.md "Who may act": only the inventory's word counts, never the release's own overrides.
      const managers = [...(inventory.release?.releaseManagers ?? []), ...(tenant.release?.releaseManagers ?? [])];
      const roles = inventory.roles ?? {};
      if (!managers.includes(input.startedBy) && !hasRole(roles, input.startedBy, ROLES.releaseManager))
        problems.push(
          `${input.startedBy} may not start a release of ${input.tenant}: not a release manager of it ` +
            `(release.releaseManagers: ${managers.join(', ') || 'none'}) and no role release-manager (or admin)`,
        );
      const gates = input.variant === 'standard' ? Object.values(settings.gates) : [settings.gates['go-live']];
      for (const gate of gates) problems.push(...validateGateDefinition(gate, input.startedBy));
      settings.maintenanceWindows.forEach((w, i) =>
        problems.push(...validateMaintenanceWindow(w, `maintenance window ${i + 1} of ${input.tenant}`)),
      );
      settings.freezes.forEach((f) => problems.push(...validateFreeze(f)));
      if (problems.length > 0)
        throw nonRetryable(
          'InvalidReleaseSettings',
          `release ${input.tenant} ${input.version}: ${problems.join('; ')}`,
        );
      // docs/approvals-locks-windows.md "Signed decisions": the keys travel with each gate, so the
      // history names them and an auditor can re-verify every decision from it alone.
      if (inventory.trustedKeys)
        for (const gate of Object.values(settings.gates)) gate.trustedKeys = inventory.trustedKeys;
      return settings;
    },
  };
}

/** Read-only checks of an instance: its acceptance log, the packages a push left there. */
export function createReleaseCheckActivities(deps: ReleaseActivityDependencies) {
  return {
    /** docs/releases.md "Acceptance": configuration errors logged on the instance since `since` (ISO). */
    async checkAcceptanceLog(input: { instance: InstanceRef; since: string }): Promise<AcceptanceLogResult> {
      return withTenantDatabases(deps, async (databases) => {
        const knex = await databases.knexFor(input.instance);
        const query = knex('app_log').where(CONFIGURATION_ERROR).andWhere('logged_at', '>=', input.since);
        const [{ n }] = (await query.clone().count({ n: '*' })) as { n: string | number }[];
        const rows = (await query.clone().orderBy('id').limit(5).select('logged_at', 'message')) as {
          logged_at: string;
          message: string;
        }[];
        return {
          instance: instanceKey(input.instance),
          configurationErrors: Number(n),
          samples: rows.map((r) => `${r.logged_at} ${r.message}`),
        };
      });
    },

    /** After a push: each package's marker in the target says it is applied, with the package's checksum. */
    async verifyPackagesApplied(input: {
      target: InstanceRef;
      packages: PackageRef[];
    }): Promise<{ verified: string[] }> {
      return withTenantDatabases(deps, async (databases) => {
        const knex = await databases.knexFor(input.target);
        const verified: string[] = [];
        for (const ref of input.packages) {
          const loaded = await loadPackageRef(ref, deps.packageStore);
          const { id, version } = loaded.document;
          const marker = await appliedMarker(knex, id, version);
          if (marker !== loaded.checksum) {
            throw nonRetryable(
              'PushNotVerified',
              `${instanceKey(input.target)} does not carry package ${id}@${version} (${describePackageRef(ref)}): ` +
                (marker ? `its marker has checksum ${marker}, the package ${loaded.checksum}` : 'no applied marker'),
            );
          }
          verified.push(`${id}@${version}`);
        }
        return { verified };
      });
    },
  };
}

/** What the production push changes beyond packages: clean-up scripts, and the rollback restore. */
export function createProductionPushActivities(deps: ReleaseActivityDependencies) {
  return {
    /** docs/releases.md "Production push": the tenant's clean-up scripts (inventory, then its own table), in one transaction. */
    async runCleanupScripts(input: { instance: InstanceRef }): Promise<{ scripts: string[] }> {
      return withTenantDatabases(deps, async (databases) => {
        const tenant = databases.tenant(input.instance.tenant);
        const knex = await databases.knexFor(input.instance);
        const scripts = await knex.transaction((trx) =>
          runCleanupScripts(
            trx,
            tenant.cleanupScripts,
            tenant.schema.tables.cleanup_scripts !== undefined,
            instanceKey(input.instance),
          ),
        );
        return { scripts };
      });
    },

    /**
     * Rollback of a failed production push (docs/releases.md "Production push"): restores the instance from a
     * backup of itself. Unlike a copy, the backup must come from this very instance.
     */
    async restoreOwnBackup(input: {
      backupId: number;
      instance: InstanceRef;
      workflowId: string;
    }): Promise<{ database: string; file: string }> {
      return withTenantDatabases(deps, async (databases) => {
        const entry = await requireBackup(deps, input.backupId);
        const target = databases.connectionFor(input.instance);
        if (entry.tenant !== input.instance.tenant || entry.landscape !== input.instance.landscape) {
          throw nonRetryable(
            'BackupOfAnotherInstance',
            `backup ${entry.path} is of ${entry.tenant}/${entry.landscape}, not ${instanceKey(input.instance)}: a rollback restores an instance's own backup`,
          );
        }
        if (!fs.existsSync(entry.path))
          throw nonRetryable(
            'BackupFileMissing',
            `backup file ${entry.path} does not exist; ${describeDatabase(target)} was not touched`,
          );
        const sha256 = await sha256OfFile(entry.path);
        if (sha256 !== entry.sha256) {
          throw nonRetryable(
            'BackupChecksumMismatch',
            `backup file ${entry.path} has SHA-256 ${sha256}, the catalog records ${entry.sha256}; ${describeDatabase(target)} was not touched`,
          );
        }
        const engine = databases.engineFor(input.instance);
        await databases.release(input.instance);
        await engine.restore(target, entry.path, {
          scratchName: scratchDatabaseName(input.instance, `${input.workflowId}/rollback/${input.backupId}`),
          onProgress: heartbeatProgress('rollback restore'),
          signal: cancellationSignal(),
        });
        await databases.release(input.instance);
        return { database: describeDatabase(target), file: entry.path };
      });
    },
  };
}
