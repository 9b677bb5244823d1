import type { Landscape } from '../landscapes';

/** The package format of docs/packages.md, published as schemas/package.schema.json. */
export type PackageDocument = IncrementalPackage | MasterPackage;

export const OPERATIONS = ['C', 'U', 'D'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface PackageHeader {
  formatVersion: 1;
  id: string;
  version: string;
  description?: string;
  aspects?: Aspect[];
}

export interface IncrementalPackage extends PackageHeader {
  kind: 'incremental';
  /** Delete target items earlier versions of this package installed and this one no longer has. */
  overwrite?: boolean;
  transactionSets: TransactionSet[];
}

export interface MasterPackage extends PackageHeader {
  kind: 'master';
  subPackages: SubPackage[];
}

export interface SubPackage {
  /** Sub-packages are applied in ascending relative order (docs/packages.md "Master packages and predicates"). */
  relativeOrder: number;
  predicate?: Predicate;
  /** Inline sub-package, or `ref`: the id of a package defined inline elsewhere in the document. */
  package?: PackageDocument;
  ref?: string;
}

export interface TransactionSet {
  id: number;
  description?: string;
  changes: Change[];
}

export interface Change {
  sequence: number;
  operation: Operation;
  objectType: ObjectType;
  businessObject?: string;
  entityName: string;
  guid: string;
  /** C: the full definition. U: a JSON merge patch (RFC 7396) over the current definition. */
  data?: Record<string, unknown>;
  schemaChange?: boolean;
}

/** Flags a feature's presence on the target (docs/packages.md "Aspects"). */
export interface Aspect {
  id: string;
  version: number;
  vendorId: string;
  vendorName?: string;
  uninstall?: boolean;
}

/** JSON conditions only: nothing is ever evaluated as code. */
export type Predicate =
  | { all: Predicate[] }
  | { any: Predicate[] }
  | { not: Predicate }
  | { setting: SettingCondition }
  | { landscape: Landscape[] }
  | { aspect: { vendorId: string; id: string; minVersion?: number } };

export interface SettingCondition {
  key: string;
  equals?: string;
  notEquals?: string;
  in?: string[];
  exists?: boolean;
}

/** The user-interface definitions, one group in the impact table (docs/packages.md "Impact levels"). */
export const UI_DEFINITION_TYPES = [
  'Form',
  'List',
  'Layout',
  'QuickAction',
  'PickListDefinition',
  'Dashboard',
  'ChartPart',
  'ListPart',
  'SpecialPart',
] as const;

export const OBJECT_TYPES = [
  'BusinessObject',
  'Field',
  'Relationship',
  'Index',
  'FullTextIndex',
  'AuditField',
  'BusinessRule',
  ...UI_DEFINITION_TYPES,
  'Role',
  'Branding',
  'Workflow',
  'Counter',
  'ViewPart',
  'GlobalConstant',
  'RequestOffering',
  'Report',
  'EmailConfiguration',
  'IntegrationSettings',
  'LdapConfiguration',
  'AuthenticationProvider',
  'PasswordPolicy',
  'EscalationSchedule',
  'ValidationList',
] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

/**
 * Where a workflow finds a package without carrying its content: a file the worker can read,
 * or the SHA-256 of a document stored in the control database's `packages` table.
 */
export type PackageRef = { path: string } | { sha256: string };

export function describePackageRef(ref: PackageRef): string {
  return 'path' in ref ? ref.path : `sha256:${ref.sha256}`;
}

/** Identifies one change for errors and previews: sequences are unique within a package. */
export interface ChangeRef {
  packageId: string;
  sequence: number;
}

export type Severity = 'error' | 'warning';

export interface PackageIssue {
  severity: Severity;
  packageId: string;
  /** Absent for issues about the package as a whole (e.g. overwrite deletions). */
  sequence?: number;
  message: string;
}

/** All changes of an incremental package in application order (ascending sequence). */
export function changesOf(pkg: IncrementalPackage): Change[] {
  return pkg.transactionSets.flatMap((set) => set.changes).sort((a, b) => a.sequence - b.sequence);
}
