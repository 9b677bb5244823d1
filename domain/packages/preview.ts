import type { PlanStep } from './apply-plan';
import type { PackageImpact } from './impact-analysis';
import type { ApplyOrder } from './master-order';
import { changesOf, type PackageIssue, type Severity } from './package-types';

/** Issues grouped per package id, then per sequence number (`package` for the whole package). */
export type IssuesBySequence = Record<string, Record<string, string[]>>;

export interface PackagePreview {
  package: { id: string; version: string; checksum: string };
  target: string;
  impact: { level: string; counts: Record<string, number> };
  skippedPackages: ApplyOrder['skipped'];
  proposedChanges: ProposedChange[];
  /** Deletions overwrite mode adds, which no change of the package names. */
  overwriteDeletions: string[];
  errors: IssuesBySequence;
  warnings: IssuesBySequence;
}

export interface ProposedChange {
  packageId: string;
  sequence: number;
  operation: string;
  objectType: string;
  businessObject?: string;
  entityName: string;
  guid: string;
  impact: string;
  reasons: string[];
  /** What the apply would do in the database; empty when an error stops the change. */
  actions: string[];
}

/** What a `preview` shows a release manager before anything is applied (docs/packages.md "Preview"). */
export function buildPreview(input: {
  header: { id: string; version: string; checksum: string };
  target: string;
  order: ApplyOrder;
  impact: PackageImpact;
  steps: PlanStep[];
  issues: PackageIssue[];
}): PackagePreview {
  const actions = new Map<string, string[]>();
  const overwriteDeletions: string[] = [];
  for (const step of input.steps) {
    if (step.kind === 'setAspects') continue;
    if (!step.at) {
      overwriteDeletions.push(`${step.kind} ${'guid' in step ? step.guid : ''}`.trim());
      continue;
    }
    const key = `${step.at.packageId}#${step.at.sequence}`;
    actions.set(key, [...(actions.get(key) ?? []), step.kind]);
  }
  const impacts = new Map(input.impact.changes.map((c) => [`${c.packageId}#${c.sequence}`, c]));
  const proposedChanges = input.order.units.flatMap((unit) =>
    unit.kind !== 'changes'
      ? []
      : changesOf(unit.pkg).map((change) => {
          const key = `${unit.pkg.id}#${change.sequence}`;
          const impact = impacts.get(key);
          return {
            packageId: unit.pkg.id,
            sequence: change.sequence,
            operation: change.operation,
            objectType: change.objectType,
            businessObject: change.businessObject,
            entityName: change.entityName,
            guid: change.guid,
            impact: impact?.level ?? 'low',
            reasons: impact?.reasons.map((r) => r.text) ?? [],
            actions: actions.get(key) ?? [],
          };
        }),
  );
  return {
    package: input.header,
    target: input.target,
    impact: { level: input.impact.level, counts: input.impact.counts },
    skippedPackages: input.order.skipped,
    proposedChanges,
    overwriteDeletions,
    errors: groupIssues(input.issues, 'error'),
    warnings: groupIssues(input.issues, 'warning'),
  };
}

export function groupIssues(issues: PackageIssue[], severity: Severity): IssuesBySequence {
  const grouped: IssuesBySequence = {};
  for (const issue of issues) {
    if (issue.severity !== severity) continue;
    const byPackage = (grouped[issue.packageId] ??= {});
    const key = issue.sequence === undefined ? 'package' : String(issue.sequence);
    (byPackage[key] ??= []).push(issue.message);
  }
  return grouped;
}
