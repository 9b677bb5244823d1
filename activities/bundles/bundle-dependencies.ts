import { ApplicationFailure } from '@temporalio/common';
import type { BackupDatabaseInput, BackupSummary } from '../../contracts/database';
import type { InstanceRef } from '../../domain/landscapes';
import { refusalFor, type BundleRole, type RoleMembers } from '../../domain/roles';
import type { BundleStore } from '../../store/bundle-store';
import type { PromotionStore } from '../../store/promotion-store';
import type { Clock } from '../audit/record-audit-event';
import type { TenantDatabases } from '../shared/tenant-databases';

export interface BundleActivityDependencies {
  /** Throws a non-retryable failure when the worker has no tenant databases configured. */
  tenantDatabases(): TenantDatabases;
  bundles: BundleStore;
  promotions: PromotionStore;
  /** Role members from the inventory's `roles` section; empty when there is none. */
  roles(): RoleMembers;
  clock: Clock;
  /** Whether a target's metadata is locked (the instance-flag activities' reader). */
  readInstanceFlags(input: { instance: InstanceRef }): Promise<{ metadataLocked: boolean }>;
  /** The database activities' `live` backup, taken before promoting to a locked target. */
  backupDatabase(input: BackupDatabaseInput): Promise<BackupSummary>;
}

/** Fails non-retryably with the refusal (user, action, role) when `user` lacks `role`. */
export function requireRole(deps: BundleActivityDependencies, user: string, role: BundleRole, action: string): void {
  const refusal = refusalFor(deps.roles(), user, role, action);
  if (refusal) throw ApplicationFailure.nonRetryable(refusal, 'PermissionDenied');
}

export function invalid(message: string): never {
  throw ApplicationFailure.nonRetryable(message, 'InvalidBundleRequest');
}
