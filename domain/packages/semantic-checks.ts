import type { LoadProblem } from './load-package';
import type { Change, IncrementalPackage, MasterPackage, PackageDocument } from './package-types';
import { changeDataProblems } from './change-data-checks';

/**
 * What the JSON Schema cannot say: unique sequence numbers, resolvable and acyclic sub-package
 * references, unambiguous relative order, and bounded, safe change data.
 */
export function semanticProblems(root: PackageDocument): LoadProblem[] {
  const problems: LoadProblem[] = [];
  const definitions = collectDefinitions(root, '$', problems);
  for (const { pkg, path } of definitions.values()) {
    if (pkg.kind === 'incremental') problems.push(...incrementalProblems(pkg, path));
    else problems.push(...masterProblems(pkg, path, definitions));
  }
  problems.push(...cycleProblems(root, definitions));
  return problems;
}

interface Definition {
  pkg: PackageDocument;
  path: string;
}

/** Every package defined inline in the document, by id (refs point at these). */
export function collectDefinitions(
  root: PackageDocument,
  rootPath: string,
  problems: LoadProblem[] = [],
): Map<string, Definition> {
  const definitions = new Map<string, Definition>();
  const visit = (pkg: PackageDocument, path: string): void => {
    const earlier = definitions.get(pkg.id);
    if (earlier) {
      problems.push({
        path: `${path}.id`,
        reason: `package id "${pkg.id}" is defined twice (first at ${earlier.path}); use "ref" to include it again`,
      });
      return;
    }
    definitions.set(pkg.id, { pkg, path });
    if (pkg.kind === 'master') {
      pkg.subPackages.forEach((sub, i) => {
        if (sub.package) visit(sub.package, `${path}.subPackages[${i}].package`);
      });
    }
  };
  visit(root, rootPath);
  return definitions;
}

function incrementalProblems(pkg: IncrementalPackage, path: string): LoadProblem[] {
  const problems: LoadProblem[] = [];
  // Positions, not path strings: 100,000 changes should not cost 100,000 strings when all is well.
  const at = (s: number, c?: number) => `${path}.transactionSets[${s}]${c === undefined ? '' : `.changes[${c}]`}`;
  const sequences = new Map<number, [number, number]>();
  const setIds = new Map<number, number>();
  const guidTypes = new Map<string, { objectType: string; s: number; c: number }>();
  pkg.transactionSets.forEach((set, s) => {
    const earlierSet = setIds.get(set.id);
    if (earlierSet !== undefined)
      problems.push({
        path: `${at(s)}.id`,
        reason: `duplicate transaction set id ${set.id} (first at ${at(earlierSet)})`,
      });
    setIds.set(set.id, s);
    set.changes.forEach((change, c) => {
      const earlier = sequences.get(change.sequence);
      if (earlier)
        problems.push({
          path: `${at(s, c)}.sequence`,
          reason: `duplicate sequence number ${change.sequence} (first at ${at(...earlier)})`,
        });
      else sequences.set(change.sequence, [s, c]);
      const guid = change.guid.toLowerCase();
      const typed = guidTypes.get(guid);
      if (typed && typed.objectType !== change.objectType) {
        problems.push({
          path: `${at(s, c)}.guid`,
          reason: `GUID ${change.guid} is a ${typed.objectType} at ${at(typed.s, typed.c)} but a ${change.objectType} here`,
        });
      }
      if (!typed) guidTypes.set(guid, { objectType: change.objectType, s, c });
      const found = changeProblems(change, '');
      if (found.length > 0) problems.push(...found.map((p) => ({ ...p, path: `${at(s, c)}${p.path}` })));
    });
  });
  return problems;
}

const NEEDS_BUSINESS_OBJECT = new Set(['Field', 'Relationship', 'Index', 'FullTextIndex', 'AuditField']);

function changeProblems(change: Change, path: string): LoadProblem[] {
  const problems = changeDataProblems(change, path);
  if (NEEDS_BUSINESS_OBJECT.has(change.objectType) && !change.businessObject) {
    problems.push({
      path,
      reason: `a ${change.objectType} change needs "businessObject" (sequence ${change.sequence})`,
    });
  }
  return problems;
}

function masterProblems(pkg: MasterPackage, path: string, definitions: Map<string, Definition>): LoadProblem[] {
  const problems: LoadProblem[] = [];
  const orders = new Map<number, number>();
  pkg.subPackages.forEach((sub, i) => {
    const subPath = `${path}.subPackages[${i}]`;
    const earlier = orders.get(sub.relativeOrder);
    if (earlier !== undefined) {
      problems.push({
        path: `${subPath}.relativeOrder`,
        reason: `relative order ${sub.relativeOrder} is already used by ${path}.subPackages[${earlier}]; the order would be ambiguous`,
      });
    }
    orders.set(sub.relativeOrder, i);
    if (sub.ref !== undefined && !definitions.has(sub.ref)) {
      problems.push({ path: `${subPath}.ref`, reason: `no package with id "${sub.ref}" is defined in this document` });
    }
  });
  return problems;
}

/** Sub-package ids of a master, inline or by reference. */
export function subPackageIds(pkg: MasterPackage): string[] {
  return pkg.subPackages.map((sub) => sub.ref ?? sub.package!.id);
}

function cycleProblems(root: PackageDocument, definitions: Map<string, Definition>): LoadProblem[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): LoadProblem | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(id)), id].join(' → ');
      return { path: definitions.get(id)?.path ?? '$', reason: `cycle among master sub-packages: ${cycle}` };
    }
    const pkg = definitions.get(id)?.pkg;
    if (!pkg) return undefined;
    state.set(id, 'visiting');
    stack.push(id);
    for (const child of pkg.kind === 'master' ? subPackageIds(pkg) : []) {
      const found = visit(child);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  const found = visit(root.id);
  return found ? [found] : [];
}
