import { IMPACT_RULES, maxLevel, type ImpactLevel } from './impact-rules';
import { changesOf, type Change, type IncrementalPackage, type PackageDocument } from './package-types';
import { collectDefinitions } from './semantic-checks';

export interface ImpactReason {
  rule: string;
  level: ImpactLevel;
  text: string;
}

export interface ChangeImpact {
  packageId: string;
  sequence: number;
  level: ImpactLevel;
  reasons: ImpactReason[];
}

export interface PackageImpact {
  level: ImpactLevel;
  /** Changes per level, for summaries. */
  counts: Record<ImpactLevel, number>;
  changes: ChangeImpact[];
}

/** Every impact rule that applies to the change; its level is the highest of them. */
export function analyzeChange(change: Change, packageId: string): ChangeImpact {
  const reasons: ImpactReason[] = [];
  for (const rule of IMPACT_RULES) {
    if (rule.matches(change)) reasons.push(rule.reason);
  }
  return { packageId, sequence: change.sequence, level: maxLevel(reasons.map((r) => r.level)), reasons };
}

/** Impact of the given incremental packages (those a master would apply, or all of them). */
export function analyzeIncrementals(packages: IncrementalPackage[]): PackageImpact {
  const counts: Record<ImpactLevel, number> = { low: 0, medium: 0, high: 0 };
  const changes: ChangeImpact[] = [];
  for (const pkg of packages) {
    for (const change of changesOf(pkg)) {
      const impact = analyzeChange(change, pkg.id);
      counts[impact.level] += 1;
      changes.push(impact);
    }
  }
  const level: ImpactLevel = counts.high > 0 ? 'high' : counts.medium > 0 ? 'medium' : 'low';
  return { level, counts, changes };
}

/** The package as a whole: every incremental package in it, whatever the predicates say. */
export function analyzePackageImpact(document: PackageDocument): PackageImpact {
  const incrementals = [...collectDefinitions(document, '$').values()]
    .map((d) => d.pkg)
    .filter((p): p is IncrementalPackage => p.kind === 'incremental');
  return analyzeIncrementals(incrementals);
}

/** The first reasons at the package's level, for error messages ("sequence 3: schema change"). */
export function headlineReasons(impact: PackageImpact, limit = 3): string {
  return impact.changes
    .filter((c) => c.level === impact.level && c.reasons.length > 0)
    .slice(0, limit)
    .map(
      (c) =>
        `${c.packageId} sequence ${c.sequence}: ${c.reasons
          .filter((r) => r.level === c.level)
          .map((r) => r.text)
          .join('; ')}`,
    )
    .join(' | ');
}
