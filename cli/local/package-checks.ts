/**
 * Package checks that need no Temporal server: the same code the worker's activities run,
 * called in this process. Without a target, the package is checked on its own (schema,
 * semantic rules, impact); with one, it is simulated against the target's database (conflicts,
 * read-only rule, patch log) and nothing is changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InventoryTenantDatabases } from '../../activities/shared/inventory-tenant-databases';
import { runApplyPackage } from '../../activities/packages/apply-package';
import { analyzePackageImpact, headlineReasons } from '../../domain/packages/impact-analysis';
import { loadPackage, MAX_PACKAGE_BYTES, PackageLoadError } from '../../domain/packages/load-package';
import type { InstanceRef } from '../../domain/landscapes';
import { loadInventory } from '../../inventory/load-inventory';
import { AuditStore } from '../../store/audit-store';
import { openControlDatabase } from '../../store/control-database';
import { PackageStore } from '../../store/package-store';
import { PatchLogStore } from '../../store/patch-log-store';
import type { PackageReport } from '../../contracts/packages';

export interface PackageCheck {
  packageId: string;
  version: string;
  kind: string;
  impact: string;
  counts: Record<'low' | 'medium' | 'high', number>;
  reasons: string;
}

/** Schema, semantic rules and impact of a package file; PackageLoadError lists every problem. */
export function checkPackageFile(file: string): PackageCheck {
  // Refused before reading, as the worker refuses it: a file past the limit may not even fit in a string.
  const size = fs.statSync(file).size;
  if (size > MAX_PACKAGE_BYTES)
    throw new PackageLoadError(file, [{ path: '$', reason: `file is ${size} bytes, more than ${MAX_PACKAGE_BYTES}` }]);
  const document = loadPackage(fs.readFileSync(file, 'utf8'), file);
  const impact = analyzePackageImpact(document);
  return {
    packageId: document.id,
    version: document.version,
    kind: document.kind,
    impact: impact.level,
    counts: impact.counts,
    reasons: headlineReasons(impact, 5),
  };
}

export interface TargetCheckOptions {
  target: InstanceRef;
  inventoryFile: string;
  controlDbUrl: string;
  /** Write the proposed changes, warnings and errors here (docs/packages.md "Preview"). */
  previewFile?: string;
  compact?: boolean;
}

/** A dry run against the target instance: every error and warning by sequence; nothing changes. */
export async function validatePackageOnTarget(file: string, options: TargetCheckOptions): Promise<PackageReport> {
  const tenantDatabases = new InventoryTenantDatabases(loadInventory(options.inventoryFile));
  const controlDb = await openControlDatabase(options.controlDbUrl);
  try {
    return await runApplyPackage(
      {
        tenantDatabases: () => tenantDatabases,
        patchLog: new PatchLogStore(controlDb),
        packageStore: new PackageStore(controlDb),
        auditStore: new AuditStore(controlDb),
        clock: { now: () => new Date() },
      },
      {
        target: options.target,
        package: { path: path.resolve(file) },
        mode: 'validate',
        compact: options.compact,
        previewFile: options.previewFile ? path.resolve(options.previewFile) : undefined,
      },
    );
  } finally {
    await controlDb.destroy();
    await tenantDatabases.destroyAll();
  }
}
