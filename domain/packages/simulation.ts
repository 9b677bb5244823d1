import type { ApplyUnit } from './master-order';
import { applyMergePatch } from './merge-patch';
import { changesOf, type Change, type ChangeRef, type IncrementalPackage, type PackageIssue } from './package-types';
import { nameKey, type PlanStep, type TargetItem, type TargetList, type TargetSnapshot } from './apply-plan';
import { schemaSteps } from './schema-steps';

export interface Simulation {
  steps: PlanStep[];
  issues: PackageIssue[];
}

/**
 * Runs the packages against a model of the target, in apply order, and returns the database
 * steps an apply will take plus every error and warning keyed by sequence number. Nothing is
 * touched: validation is this, and apply executes its steps.
 */
export function simulate(snapshot: TargetSnapshot, units: ApplyUnit[]): Simulation {
  const state = new TargetState(snapshot);
  for (const unit of units) {
    if (unit.kind === 'aspects')
      state.steps.push({ kind: 'setAspects', packageId: unit.packageId, aspects: unit.aspects });
    else {
      for (const change of changesOf(unit.pkg)) state.apply(change, unit.pkg.id);
      if (unit.pkg.overwrite) state.overwrite(unit.pkg);
    }
  }
  return { steps: state.steps, issues: state.issues };
}

export function describePackageItem(item: {
  objectType: string;
  businessObject?: string | null;
  name: string;
  guid: string;
}): string {
  return `${item.objectType} "${item.name}"${item.businessObject ? ` on ${item.businessObject}` : ''} (GUID ${item.guid})`;
}

/** The target as the package sees it while it is being applied. */
export class TargetState {
  readonly steps: PlanStep[] = [];
  readonly issues: PackageIssue[] = [];
  readonly items = new Map<string, TargetItem>();
  readonly names = new Map<string, string>();
  readonly lists = new Map<string, TargetList>();
  readonly listNames = new Map<string, string>();
  readonly tables = new Map<string, Set<string>>();
  readonly protectedTables: Set<string>;

  constructor(snapshot: TargetSnapshot) {
    for (const item of snapshot.items) this.putItem(item);
    for (const list of snapshot.lists) this.putList(list);
    for (const [table, columns] of Object.entries(snapshot.tables))
      this.tables.set(table.toLowerCase(), new Set(columns.map((c) => c.toLowerCase())));
    this.protectedTables = new Set(snapshot.protectedTables.map((t) => t.toLowerCase()));
  }

  error(at: ChangeRef, message: string): void {
    this.issues.push({ severity: 'error', ...at, message });
  }

  warn(at: ChangeRef | { packageId: string }, message: string): void {
    this.issues.push({ severity: 'warning', ...at, message });
  }

  apply(change: Change, packageId: string): void {
    const at = { packageId, sequence: change.sequence };
    if (change.objectType === 'ValidationList') this.applyList(change, at);
    else if (change.operation === 'C') this.create(change, at);
    else if (change.operation === 'U') this.update(change, at);
    else this.remove(change, at);
  }

  private create(change: Change, at: ChangeRef): void {
    const existing = this.items.get(change.guid.toLowerCase());
    const item: TargetItem = {
      guid: existing?.guid ?? change.guid.toLowerCase(),
      objectType: change.objectType,
      businessObject: change.businessObject ?? null,
      name: change.entityName,
      definition: change.data ?? {},
      installedBy: at.packageId,
    };
    if (existing && this.typeMismatch(existing, change, at)) return;
    if (this.conflicts(item, at)) return;
    if (existing) this.warn(at, `${describePackageItem(existing)} already exists on the target; it will be replaced`);
    if (change.schemaChange && !this.schemaChange(change, at)) return;
    this.writeItem(item, at, existing);
  }

  private update(change: Change, at: ChangeRef): void {
    const existing = this.items.get(change.guid.toLowerCase());
    if (!existing) {
      this.error(
        at,
        `cannot update ${change.objectType} "${change.entityName}": the target has no item with GUID ${change.guid}`,
      );
      return;
    }
    if (this.typeMismatch(existing, change, at)) return;
    const item: TargetItem = {
      ...existing,
      businessObject: change.businessObject ?? existing.businessObject,
      name: change.entityName,
      definition: applyMergePatch(existing.definition, change.data) as Record<string, unknown>,
    };
    if (this.conflicts(item, at)) return;
    this.writeItem(item, at, existing);
  }

  private remove(change: Change, at: ChangeRef): void {
    const existing = this.items.get(change.guid.toLowerCase());
    if (!existing) {
      this.warn(
        at,
        `${change.objectType} "${change.entityName}" (GUID ${change.guid}) is not on the target; nothing to delete`,
      );
      return;
    }
    if (existing.objectType === 'BusinessObject' && this.stillHasMembers(existing, at)) return;
    if (change.schemaChange && !this.schemaChange(change, at, existing)) return;
    this.steps.push({ kind: 'deleteItem', at, guid: existing.guid });
    this.dropItem(existing);
  }

  /** docs/packages.md "Business objects and their tables": deleting one its items still name would leave them dangling. */
  private stillHasMembers(
    businessObject: TargetItem,
    at: ChangeRef | { packageId: string },
    goingToo: Set<string> = new Set(),
  ): boolean {
    const name = businessObject.name.toLowerCase();
    const members = [...this.items.values()].filter(
      (item) => item.businessObject?.toLowerCase() === name && !goingToo.has(item.guid.toLowerCase()),
    );
    if (members.length === 0) return false;
    const named = members.slice(0, 5).map(describePackageItem).join(', ');
    this.issues.push({
      severity: 'error',
      ...at,
      message: `cannot delete ${describePackageItem(businessObject)}: ${members.length} item(s) still belong to it (${named}${members.length > 5 ? ', …' : ''}); delete them earlier in the package`,
    });
    return true;
  }

  /** A GUID names one item: a change of another type to it is an error. */
  private typeMismatch(existing: TargetItem, change: Change, at: ChangeRef): boolean {
    if (existing.objectType === change.objectType) return false;
    this.error(at, `GUID ${change.guid} is a ${existing.objectType} on the target, not a ${change.objectType}`);
    return true;
  }

  /** The step that writes `item`, and the model after it: `item` in place of `existing`. */
  private writeItem(item: TargetItem, at: ChangeRef, existing: TargetItem | undefined): void {
    this.steps.push({ kind: existing ? 'replaceItem' : 'insertItem', at, item });
    if (existing) this.dropItem(existing);
    this.putItem(item);
  }

  /** docs/packages.md "Conflicts": a target item with the package item's name but another GUID stops the install. */
  private conflicts(item: TargetItem, at: ChangeRef): boolean {
    const holder = this.names.get(nameKey(item.objectType, item.businessObject, item.name));
    if (holder === undefined || holder === item.guid.toLowerCase()) return false;
    const other = this.items.get(holder)!;
    const origin = other.installedBy ? `installed by package ${other.installedBy}` : 'created on the target';
    this.error(
      at,
      `conflict: the target already has ${describePackageItem(other)}, ${origin}; the package's item has GUID ${item.guid}. Rename one of them`,
    );
    return true;
  }

  private schemaChange(change: Change, at: ChangeRef, existing?: TargetItem): boolean {
    const result = schemaSteps(this, change, at, existing);
    if ('error' in result) {
      this.error(at, result.error);
      return false;
    }
    this.steps.push(...result.steps);
    return true;
  }

  private applyList(change: Change, at: ChangeRef): void {
    const existing = this.lists.get(change.guid.toLowerCase());
    const guid = existing?.guid ?? change.guid.toLowerCase();
    if (change.operation === 'D') {
      if (!existing)
        this.warn(
          at,
          `ValidationList "${change.entityName}" (GUID ${change.guid}) is not on the target; nothing to delete`,
        );
      else {
        this.steps.push({ kind: 'deleteList', at, guid });
        this.dropList(existing);
      }
      return;
    }
    if (change.operation === 'U' && !existing) {
      this.error(
        at,
        `cannot update ValidationList "${change.entityName}": the target has no list with GUID ${change.guid}`,
      );
      return;
    }
    const holder = this.listNames.get(change.entityName.toLowerCase());
    if (holder !== undefined && holder !== guid.toLowerCase()) {
      this.error(
        at,
        `conflict: the target already has ValidationList "${change.entityName}" with GUID ${holder}; the package's list has GUID ${change.guid}. Rename one of them`,
      );
      return;
    }
    const list = {
      guid,
      name: change.entityName,
      installedBy: existing ? (existing.installedBy ?? at.packageId) : at.packageId,
    };
    this.steps.push({
      kind: 'putList',
      at,
      list,
      values: change.data!.values as string[],
      exists: existing !== undefined,
    });
    if (existing) this.dropList(existing);
    this.putList(list);
  }

  /** docs/packages.md "Overwrite": only items earlier versions of this package installed. */
  overwrite(pkg: IncrementalPackage): void {
    const kept = new Set(
      changesOf(pkg)
        .filter((c) => c.operation !== 'D')
        .map((c) => c.guid.toLowerCase()),
    );
    const dropped = [...this.items.values()].filter(
      (item) => item.installedBy === pkg.id && !kept.has(item.guid.toLowerCase()),
    );
    const droppedGuids = new Set(dropped.map((item) => item.guid.toLowerCase()));
    for (const item of dropped) {
      if (item.objectType === 'BusinessObject' && this.stillHasMembers(item, { packageId: pkg.id }, droppedGuids))
        continue;
      this.steps.push({ kind: 'deleteItem', guid: item.guid, overwriteOf: pkg.id });
      this.warn(
        { packageId: pkg.id },
        `overwrite: deletes ${describePackageItem(item)}, installed by an earlier version of ${pkg.id} and no longer in it`,
      );
      this.dropItem(item);
    }
    for (const list of [...this.lists.values()]) {
      if (list.installedBy !== pkg.id || kept.has(list.guid.toLowerCase())) continue;
      this.steps.push({ kind: 'deleteList', guid: list.guid, overwriteOf: pkg.id });
      this.warn(
        { packageId: pkg.id },
        `overwrite: deletes ValidationList "${list.name}" (GUID ${list.guid}), installed by an earlier version of ${pkg.id} and no longer in it`,
      );
      this.dropList(list);
    }
  }

  putItem(item: TargetItem): void {
    this.items.set(item.guid.toLowerCase(), item);
    this.names.set(nameKey(item.objectType, item.businessObject, item.name), item.guid.toLowerCase());
  }

  private dropItem(item: TargetItem): void {
    this.items.delete(item.guid.toLowerCase());
    this.names.delete(nameKey(item.objectType, item.businessObject, item.name));
  }

  private putList(list: TargetList): void {
    this.lists.set(list.guid.toLowerCase(), list);
    this.listNames.set(list.name.toLowerCase(), list.guid.toLowerCase());
  }

  private dropList(list: TargetList): void {
    this.lists.delete(list.guid.toLowerCase());
    this.listNames.delete(list.name.toLowerCase());
  }
}
