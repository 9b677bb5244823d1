import { ApplicationFailure } from '@temporalio/common';
import { analyzePackageImpact, headlineReasons } from '../../domain/packages/impact-analysis';
import type { PackageRef } from '../../domain/packages/package-types';
import type { AuditStore } from '../../store/audit-store';
import type { PackageStore } from '../../store/package-store';
import type { PatchLogStore } from '../../store/patch-log-store';
import type { Clock } from '../audit/record-audit-event';
import type { TenantDatabases } from '../shared/tenant-databases';
import { runApplyPackage } from './apply-package';
import { runExportPackage, type ExportPackageInput, type ExportPackageResult } from './export-package';
import { loadPackageRef } from './package-source';
import type { AnalyzePackageResult, ApplyPackageInput, PackageReport } from '../../contracts/packages';

export interface PackageActivityDependencies {
  /** Throws a non-retryable failure when the worker has no tenant databases configured. */
  tenantDatabases(): TenantDatabases;
  patchLog: PatchLogStore;
  packageStore: PackageStore;
  auditStore: AuditStore;
  clock: Clock;
}

export function createPackageActivities(deps: PackageActivityDependencies) {
  return {
    /** Impact of a package on its own (every sub-package, whatever the predicates). */
    async analyzePackage(input: { package: PackageRef }): Promise<AnalyzePackageResult> {
      const loaded = await loadPackageRef(input.package, deps.packageStore);
      const impact = analyzePackageImpact(loaded.document);
      return {
        packageId: loaded.document.id,
        version: loaded.document.version,
        kind: loaded.document.kind,
        checksum: loaded.checksum,
        impact: impact.level,
        counts: impact.counts,
        reasons: headlineReasons(impact, 5),
      };
    },
    /** Dry run against the target: every error and warning by sequence number; nothing changes. */
    async validatePackage(input: Omit<ApplyPackageInput, 'mode' | 'force' | 'backupId'>): Promise<PackageReport> {
      return runApplyPackage(deps, { ...input, mode: 'validate' });
    },
    async applyPackage(input: ApplyPackageInput): Promise<PackageReport> {
      return runApplyPackage(deps, input);
    },
    async exportPackage(input: ExportPackageInput): Promise<ExportPackageResult> {
      return runExportPackage(deps, input);
    },
  };
}

export function missingTenantDatabases(): never {
  throw ApplicationFailure.nonRetryable(
    'this worker has no tenant databases configured (ActivityDependencies.tenantDatabases)',
    'NoTenantDatabases',
  );
}
