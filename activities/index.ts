import type { Knex } from 'knex';
import { AuditStore } from '../store/audit-store';
import { createAuditActivities, type Clock } from './audit/record-audit-event';
import { createNotificationActivities } from './notifications/notify';
import type { Mailer } from './notifications/smtp-mailer';
import { createInstanceLockActivities, type InstanceLockDependencies } from './locks/instance-lock-activities';
import { createInstanceFlagActivities } from './instance-flags/instance-flags';
import type { TenantDatabases } from './shared/tenant-databases';
import { createPackageActivities, missingTenantDatabases } from './packages/package-activities';
import { PackageStore } from '../store/package-store';
import { PatchLogStore } from '../store/patch-log-store';
import { BackupCatalog } from '../store/backup-catalog';
import { createDatabaseActivities } from './database/database-activities';
import { InventoryTenantDatabases } from './shared/inventory-tenant-databases';
import { createBundleActivities } from './bundles/bundle-activities';
import { createDeploymentActivities } from './deployments/deployment-activities';
import { DeploymentStore } from '../store/deployment-store';
import { BundleStore } from '../store/bundle-store';
import { PromotionStore } from '../store/promotion-store';
import type { Inventory } from '../inventory/inventory';
import { createReleaseActivities } from './releases/release-activities';
import { createAuthorizationActivities } from './authorization/authorize';

export interface ActivityDependencies {
  controlDb: Knex;
  clock?: Clock;
  /** SMTP mailer for notifications; without one they are written to the audit table. */
  mailer?: Mailer;
  /** Appended to user names to make mail addresses (`alice` → `alice@<mailDomain>`). */
  mailDomain?: string;
  /** The approval service's public URL, for the links in gate mails (STAGECOACH_APPROVAL_URL). */
  approvalUrl?: string;
  /** A Temporal client and lock timings, for the instance lock activities. */
  instanceLocks?: InstanceLockDependencies;
  /** Opens tenant instances' databases (package apply, export); activities needing it fail without. */
  tenantDatabases?: TenantDatabases;
  /** Bytes per second for backup copies between locations (STAGECOACH_COPY_BANDWIDTH); unlimited when absent. */
  copyBandwidthLimit?: number;
  /** The inventory (roles, tenants, contacts); taken from an InventoryTenantDatabases when absent. */
  inventory?: Inventory;
}

/** Every activity the worker registers, built once from its dependencies. */
export function createActivities(deps: ActivityDependencies) {
  const clock = deps.clock ?? { now: () => new Date() };
  const packageActivities = createPackageActivities({
    tenantDatabases: () => deps.tenantDatabases ?? missingTenantDatabases(),
    patchLog: new PatchLogStore(deps.controlDb),
    packageStore: new PackageStore(deps.controlDb),
    auditStore: new AuditStore(deps.controlDb),
    clock,
  });
  const flagActivities = createInstanceFlagActivities({
    tenantDatabases: () => deps.tenantDatabases ?? missingTenantDatabases(),
  });
  // Backup, copy, restore, verify, fix-ups, refresh: need the inventory-backed implementation.
  const databaseActivities = createDatabaseActivities({
    tenantDatabases: deps.tenantDatabases instanceof InventoryTenantDatabases ? deps.tenantDatabases : undefined,
    catalog: new BackupCatalog(deps.controlDb),
    clock,
    copyBandwidthLimit: deps.copyBandwidthLimit,
  });
  const releaseActivities = createReleaseActivities({
    tenantDatabases: deps.tenantDatabases instanceof InventoryTenantDatabases ? deps.tenantDatabases : undefined,
    catalog: new BackupCatalog(deps.controlDb),
    clock,
    inventory: () => inventoryOf(deps),
    packageStore: new PackageStore(deps.controlDb),
  });
  return {
    ...createAuditActivities({ auditStore: new AuditStore(deps.controlDb), clock }),
    ...createNotificationActivities({
      auditStore: new AuditStore(deps.controlDb),
      clock,
      mailer: deps.mailer,
      mailDomain: deps.mailDomain,
      approvalUrl: deps.approvalUrl,
    }),
    ...createInstanceLockActivities(deps.instanceLocks),
    ...createAuthorizationActivities({ roles: () => inventoryOf(deps)?.roles ?? {} }),
    ...flagActivities,
    ...packageActivities,
    ...databaseActivities,
    // The release workflow's own steps (settings, acceptance log, clean-up, rollback restore).
    ...releaseActivities,
    ...createDeploymentActivities({
      inventory: () => inventoryOf(deps),
      packageStore: new PackageStore(deps.controlDb),
      patchLog: new PatchLogStore(deps.controlDb),
      deployments: new DeploymentStore(deps.controlDb),
      applyPackage: packageActivities.applyPackage,
      readInstanceFlags: flagActivities.readInstanceFlags,
      backupDatabase: databaseActivities.backupDatabase,
      restoreOwnBackup: releaseActivities.restoreOwnBackup,
      verifyRestoredDatabase: databaseActivities.verifyRestoredDatabase,
      clock,
    }),
    ...createBundleActivities({
      tenantDatabases: () => deps.tenantDatabases ?? missingTenantDatabases(),
      bundles: new BundleStore(deps.controlDb),
      promotions: new PromotionStore(deps.controlDb),
      roles: () => inventoryOf(deps)?.roles ?? {},
      clock,
      readInstanceFlags: flagActivities.readInstanceFlags,
      backupDatabase: databaseActivities.backupDatabase,
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

function inventoryOf(deps: ActivityDependencies): Inventory | undefined {
  return (
    deps.inventory ??
    (deps.tenantDatabases instanceof InventoryTenantDatabases ? deps.tenantDatabases.inventory : undefined)
  );
}
