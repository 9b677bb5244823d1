import fs from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import { instanceKey, type InstanceRef } from '../../domain/landscapes';
import type { TargetItem } from '../../domain/packages/apply-plan';
import { analyzePackageImpact } from '../../domain/packages/impact-analysis';
import { loadPackage, PackageLoadError } from '../../domain/packages/load-package';
import { diffMergePatch, sameJson } from '../../domain/packages/merge-patch';
import {
  OBJECT_TYPES,
  type Change,
  type IncrementalPackage,
  type ObjectType,
} from '../../domain/packages/package-types';
import type { ExportPackageRequest, ExportPackageResult } from '../../contracts/packages';
import type { PackageActivityDependencies } from './package-activities';
import { sha256 } from './package-source';
import { asActivityFailure } from '../shared/database-failures';
import { isClearTextSecret } from '../../domain/secrets';
import { readItems, readListValues, readLists, readTableColumns } from './target-reader';

export interface ExportPackageInput extends Omit<ExportPackageRequest, 'base'> {
  /** The instance the package will be applied to (e.g. UAT); only read. */
  target: InstanceRef;
  /** Also write the package to this file on the worker (tests); the package is published in any case. */
  outputFile?: string;
}

export type { ExportPackageResult };

interface InstanceMetadata {
  items: Map<string, TargetItem>;
  lists: Map<string, { guid: string; name: string; values: string[] }>;
  tables: Record<string, string[]>;
}

/**
 * The second kind of incremental package (docs/packages.md "Incremental packages"): the result of comparing the full metadata of
 * two tenant instances. Deletions come first (children before business objects), then creates
 * and updates (business objects before their fields), numbered in that order.
 */
export async function runExportPackage(
  deps: PackageActivityDependencies,
  input: ExportPackageInput,
): Promise<ExportPackageResult> {
  if (instanceKey(input.source) === instanceKey(input.target)) {
    throw ApplicationFailure.nonRetryable(
      `exportPackage compares two instances; source and target are both ${instanceKey(input.source)}`,
      'InvalidExport',
    );
  }
  const databases = deps.tenantDatabases();
  // An instance the inventory lacks is a non-retryable failure naming it, not an error to retry.
  const [source, target] = await Promise.all([
    databases.knexFor(input.source).then(readMetadata),
    databases.knexFor(input.target).then(readMetadata),
  ]).catch((error: unknown) => {
    throw asActivityFailure(error);
  });
  const changes = numbered([...deletions(source, target, input.includeDeletions ?? true), ...upserts(source, target)]);
  const secretsStripped = stripSecrets(changes);
  const document: IncrementalPackage = {
    formatVersion: 1,
    kind: 'incremental',
    id: input.packageId,
    version: input.version,
    description: `Metadata of ${instanceKey(input.source)} compared with ${instanceKey(input.target)}`,
    transactionSets: changes.length > 0 ? [{ id: 1, changes }] : [],
  };
  const content = `${JSON.stringify(document, null, 2)}\n`;
  try {
    loadPackage(content, `export ${input.packageId}@${input.version}`); // what we publish must load
  } catch (error) {
    if (error instanceof PackageLoadError) throw ApplicationFailure.nonRetryable(error.message, 'InvalidExport');
    throw error;
  }
  const hash = sha256(content);
  await deps.packageStore.put({
    sha256: hash,
    packageId: input.packageId,
    packageVersion: input.version,
    content,
    storedAt: deps.clock.now().toISOString(),
  });
  let outputFile: string | undefined;
  if (input.outputFile) {
    outputFile = path.resolve(input.outputFile);
    await fs.mkdir(path.dirname(outputFile), { recursive: true });
    await fs.writeFile(outputFile, content);
  }
  return {
    package: { sha256: hash },
    packageId: input.packageId,
    version: input.version,
    changes: changes.length,
    impact: analyzePackageImpact(document).level,
    outputFile,
    ...(secretsStripped.length > 0 ? { secretsStripped } : {}),
  };
}

async function readMetadata(knex: Knex): Promise<InstanceMetadata> {
  const [items, lists, values, tables] = await Promise.all([
    readItems(knex),
    readLists(knex),
    readListValues(knex),
    readTableColumns(knex),
  ]);
  return {
    items: new Map(items.map((i) => [i.guid.toLowerCase(), i])),
    lists: new Map(
      lists.map((l) => [l.guid.toLowerCase(), { guid: l.guid, name: l.name, values: values.get(l.guid) ?? [] }]),
    ),
    tables,
  };
}

type Unnumbered = Omit<Change, 'sequence'>;
const rank = (type: string) => OBJECT_TYPES.indexOf(type as ObjectType);

function deletions(source: InstanceMetadata, target: InstanceMetadata, include: boolean): Unnumbered[] {
  if (!include) return [];
  const items = [...target.items.values()]
    .filter((item) => !source.items.has(item.guid.toLowerCase()))
    .sort((a, b) => rank(b.objectType) - rank(a.objectType))
    .map((item): Unnumbered => ({ ...identity(item), operation: 'D', ...schemaFlag(item, target, source) }));
  const lists = [...target.lists.values()]
    .filter((list) => !source.lists.has(list.guid.toLowerCase()))
    .map((list): Unnumbered => ({
      operation: 'D',
      objectType: 'ValidationList',
      entityName: list.name,
      guid: list.guid,
    }));
  return [...lists, ...items];
}

function upserts(source: InstanceMetadata, target: InstanceMetadata): Unnumbered[] {
  const changes: Unnumbered[] = [];
  for (const item of [...source.items.values()].sort((a, b) => rank(a.objectType) - rank(b.objectType))) {
    const existing = target.items.get(item.guid.toLowerCase());
    if (!existing)
      changes.push({ ...identity(item), operation: 'C', data: item.definition, ...schemaFlag(item, source, target) });
    else if (
      existing.name !== item.name ||
      existing.businessObject !== item.businessObject ||
      !sameJson(existing.definition, item.definition)
    ) {
      changes.push({
        ...identity(item),
        operation: 'U',
        data: diffMergePatch(existing.definition, item.definition) as Record<string, unknown>,
      });
    }
  }
  for (const list of source.lists.values()) {
    const existing = target.lists.get(list.guid.toLowerCase());
    if (existing && existing.name === list.name && sameJson(existing.values, list.values)) continue;
    changes.push({
      operation: existing ? 'U' : 'C',
      objectType: 'ValidationList',
      entityName: list.name,
      guid: list.guid,
      data: { values: list.values },
    });
  }
  return changes;
}

function identity(item: TargetItem): Pick<Change, 'objectType' | 'businessObject' | 'entityName' | 'guid'> {
  return {
    objectType: item.objectType as ObjectType,
    ...(item.businessObject ? { businessObject: item.businessObject } : {}),
    entityName: item.name,
    guid: item.guid,
  };
}

/** A table or stored column the one instance has and the other lacks travels as a schema change. */
function schemaFlag(item: TargetItem, has: InstanceMetadata, lacks: InstanceMetadata): { schemaChange?: true } {
  const table = tableOf(item, has);
  if (!table) return {};
  if (item.objectType === 'BusinessObject')
    return has.tables[table] && !lacks.tables[table] ? { schemaChange: true } : {};
  if (item.objectType !== 'Field' || item.definition.stored !== true) return {};
  const column = String(item.definition.column ?? item.name).toLowerCase();
  const inHas = has.tables[table]?.includes(column) ?? false;
  const inLacks = lacks.tables[table]?.includes(column) ?? false;
  return inHas && !inLacks ? { schemaChange: true } : {};
}

function tableOf(item: TargetItem, metadata: InstanceMetadata): string | undefined {
  if (item.objectType === 'BusinessObject')
    return typeof item.definition.table === 'string' ? item.definition.table.toLowerCase() : undefined;
  const owner = [...metadata.items.values()].find(
    (i) => i.objectType === 'BusinessObject' && i.name === item.businessObject,
  );
  return typeof owner?.definition.table === 'string' ? owner.definition.table.toLowerCase() : undefined;
}

/**
 * docs/packages.md "Secrets": a credential the source holds in clear never travels in a package. It is removed from
 * the change and named (type, name, sequence, path: never the value) so someone supplies it as a reference.
 */
function stripSecrets(changes: Change[]): string[] {
  const stripped: string[] = [];
  for (const change of changes) {
    const pending: { value: unknown; path: string }[] = [{ value: change.data, path: 'data' }];
    for (let item = pending.pop(); item; item = pending.pop()) {
      const { value, path: at } = item;
      if (value === null || typeof value !== 'object') continue;
      for (const [key, child] of Object.entries(value)) {
        const where = Array.isArray(value) ? `${at}[${key}]` : `${at}.${key}`;
        if (isClearTextSecret(key, child)) {
          delete (value as Record<string, unknown>)[key];
          stripped.push(`${change.objectType} ${change.entityName} (sequence ${change.sequence}): ${where}`);
        } else pending.push({ value: child, path: where });
      }
    }
  }
  return stripped;
}

function numbered(changes: Unnumbered[]): Change[] {
  return changes.map((change, i) => ({ sequence: i + 1, ...change }) as Change);
}
