import type { InstanceRef } from '../domain/landscapes';
import type { PackageImpact } from '../domain/packages/impact-analysis';
import type { PackageRef } from '../domain/packages/package-types';
export interface DeployPackageInput {
  target: InstanceRef;
  /** A file the worker can read or a document in the control database: never the content. */
  package: PackageRef;
  /** Required when the target's metadata is locked (docs/packages.md "Read-only rule": apply only after a backup). */
  backupId?: string;
  compact?: boolean;
  previewFile?: string;
}

export interface DeployPackageResult {
  analysis: AnalyzePackageResult;
  validation: PackageReport;
  applied: PackageReport;
}

/** docs/packages.md "Import modes": Validate / Validate and apply if no errors / Apply without validation. */
export const IMPORT_MODES = ['validate', 'validateThenApply', 'applyWithoutValidation'] as const;

export type ImportMode = (typeof IMPORT_MODES)[number];

export interface ApplyPackageInput {
  target: InstanceRef;
  package: PackageRef;
  mode: ImportMode;
  /** Required by applyWithoutValidation: who takes responsibility and why (audited). */
  force?: { actor: string; reason: string };
  /** The backup taken before applying; required when the target's metadata is locked (docs/packages.md "Read-only rule"). */
  backupId?: string;
  /** Merge consecutive updates of the same entity before applying (docs/packages.md "Compaction"). */
  compact?: boolean;
  /** Where the worker writes the preview (proposed changes, warnings and errors by sequence). */
  previewFile?: string;
}

/** Kept small for workflow histories: counts and the first issues; the preview file has them all. */
export interface PackageReport {
  outcome: 'validated' | 'invalid' | 'applied' | 'already-applied';
  target: string;
  packageId: string;
  version: string;
  checksum: string;
  impact: PackageImpact['level'];
  impactCounts: PackageImpact['counts'];
  impactReasons: string;
  errorCount: number;
  warningCount: number;
  /** First issues as `<package> #<sequence>: <message>`. */
  errors: string[];
  warnings: string[];
  stepsApplied: number;
  skippedPackages: string[];
  previewFile?: string;
}

export interface AnalyzePackageResult {
  packageId: string;
  version: string;
  kind: 'incremental' | 'master';
  checksum: string;
  impact: 'low' | 'medium' | 'high';
  counts: Record<'low' | 'medium' | 'high', number>;
  /** The first changes at the package's level with the impact rules that put them there. */
  reasons: string;
}

/** `stagecoach package export` (docs/packages.md "Export"): the package that makes `base` equal `source`. */
export interface ExportPackageRequest {
  /** The instance whose configuration the package carries (e.g. staging). */
  source: InstanceRef;
  /** The instance the package will be applied to (e.g. production); only read. */
  base: InstanceRef;
  packageId: string;
  version: string;
  /** Also delete what the base has and the source does not (default true: a full comparison). */
  includeDeletions?: boolean;
}

export interface ExportPackageResult {
  /** Published in the control database: the caller fetches the content by this hash. */
  package: { sha256: string };
  packageId: string;
  version: string;
  changes: number;
  impact: string;
  outputFile?: string;
  /** Clear-text credentials left out of the package (where, never the value): supply them as references. */
  secretsStripped?: string[];
}
