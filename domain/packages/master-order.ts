import type { Landscape } from '../landscapes';
import type { Aspect, IncrementalPackage, PackageDocument, Predicate } from './package-types';
import { collectDefinitions } from './semantic-checks';

/** What a predicate may look at: the target's landscape, settings and installed aspects. */
export interface PredicateContext {
  landscape: Landscape;
  settings: Record<string, string>;
  aspects: InstalledAspect[];
}

export interface InstalledAspect {
  vendorId: string;
  id: string;
  version: number;
}

/** Evaluates a JSON predicate. Malformed conditions never reach here (the schema refuses them). */
export function evaluatePredicate(predicate: Predicate, context: PredicateContext): boolean {
  if ('all' in predicate) return predicate.all.every((p) => evaluatePredicate(p, context));
  if ('any' in predicate) return predicate.any.some((p) => evaluatePredicate(p, context));
  if ('not' in predicate) return !evaluatePredicate(predicate.not, context);
  if ('landscape' in predicate) return predicate.landscape.includes(context.landscape);
  if ('aspect' in predicate) {
    const wanted = predicate.aspect;
    return context.aspects.some(
      (a) => a.vendorId === wanted.vendorId && a.id === wanted.id && a.version >= (wanted.minVersion ?? 0),
    );
  }
  const { key, equals, notEquals, in: oneOf, exists } = predicate.setting;
  const value = Object.prototype.hasOwnProperty.call(context.settings, key) ? context.settings[key] : undefined;
  if (equals !== undefined) return value === equals;
  if (notEquals !== undefined) return value !== notEquals;
  if (oneOf !== undefined) return value !== undefined && oneOf.includes(value);
  return (value !== undefined) === exists;
}

/** One step of applying a package: an incremental package's changes, or a package's aspects. */
export type ApplyUnit =
  | { kind: 'changes'; path: string; pkg: IncrementalPackage }
  | { kind: 'aspects'; path: string; packageId: string; aspects: Aspect[] };

export interface SkippedPackage {
  packageId: string;
  path: string;
  reason: string;
}

export interface ApplyOrder {
  units: ApplyUnit[];
  skipped: SkippedPackage[];
}

/**
 * docs/packages.md "Master packages and predicates": sub-packages apply in relative order; a sub-package whose predicate is false is not
 * imported, nor are its sub-packages; a package's aspects update the tenant after its changes.
 * Aspects installed by an earlier sub-package count for later predicates.
 */
export function applyOrder(root: PackageDocument, context: PredicateContext): ApplyOrder {
  const definitions = collectDefinitions(root, '$');
  const units: ApplyUnit[] = [];
  const skipped: SkippedPackage[] = [];
  const aspects = [...context.aspects];
  const walk = (pkg: PackageDocument, path: string): void => {
    if (pkg.kind === 'incremental') {
      units.push({ kind: 'changes', path, pkg });
    } else {
      const ordered = [...pkg.subPackages].sort((a, b) => a.relativeOrder - b.relativeOrder);
      for (const sub of ordered) {
        const child = sub.package ?? definitions.get(sub.ref!)!.pkg;
        const childPath = `${path}/${child.id}`;
        if (sub.predicate && !evaluatePredicate(sub.predicate, { ...context, aspects })) {
          skipped.push({
            packageId: child.id,
            path: childPath,
            reason: `predicate is false: ${JSON.stringify(sub.predicate)}`,
          });
          continue;
        }
        walk(child, childPath);
      }
    }
    if (pkg.aspects && pkg.aspects.length > 0) {
      units.push({ kind: 'aspects', path, packageId: pkg.id, aspects: pkg.aspects });
      installAspects(aspects, pkg.aspects);
    }
  };
  walk(root, root.id);
  return { units, skipped };
}

export function installAspects(installed: InstalledAspect[], aspects: Aspect[]): void {
  for (const aspect of aspects) {
    const at = installed.findIndex((a) => a.vendorId === aspect.vendorId && a.id === aspect.id);
    if (at >= 0) installed.splice(at, 1);
    if (!aspect.uninstall) installed.push({ vendorId: aspect.vendorId, id: aspect.id, version: aspect.version });
  }
}

export function incrementalsOf(order: ApplyOrder): IncrementalPackage[] {
  return order.units.flatMap((u) => (u.kind === 'changes' ? [u.pkg] : []));
}
