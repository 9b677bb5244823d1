import fs from 'node:fs';
import path from 'node:path';
import { type Document, isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { Landscape } from '../domain/landscapes';
import { BUILTIN_SCHEMAS, type SchemaDescriptor } from '../domain/tenant-schema';
import { InventoryError, type InstanceConfig, type Inventory, type TenantConfig } from './inventory';
import { inventoryFileSchema, type DatabaseConfig, type InventoryFile, type SizeSetting } from './inventory-schema';
import { trustedKeysOf } from './trusted-keys';

/** Reads and validates `stagecoach.yaml`; every problem is reported with its key path. */
export function loadInventory(file: string): Inventory {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new InventoryError(
      `cannot read inventory ${absolute}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parseInventory(text, absolute);
}

/** Validates inventory text; `file` is used for messages and to resolve relative paths. */
export function parseInventory(text: string, file: string): Inventory {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    const problems = document.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`);
    throw new InventoryError(`invalid inventory ${file}: ${problems.join('; ')}`, problems);
  }
  const located = (problems: string[]) => problems.map((problem) => withPosition(problem, document, lineCounter));
  const result = inventoryFileSchema.safeParse(document.toJS());
  if (!result.success) {
    const problems = located(result.error.issues.map(describeIssue).flatMap((p) => p.split('; ')));
    throw new InventoryError(`invalid inventory ${file}:\n  ${problems.join('\n  ')}`, problems);
  }
  try {
    return buildInventory(result.data, file);
  } catch (error) {
    if (!(error instanceof InventoryError)) throw error;
    const problems = located(error.problems);
    throw new InventoryError(`invalid inventory ${file}:\n  ${problems.join('\n  ')}`, problems);
  }
}

/**
 * `tenants.acme.schema: …` → `tenants.acme.schema: … (line 5, column 13)`: where the key path points in the file (or
 * the nearest key above it that exists, for a key that is missing), so an editor jumps there.
 */
function withPosition(problem: string, document: Document, lineCounter: LineCounter): string {
  const keyPath = problem.slice(0, problem.indexOf(': '));
  const segments = keyPath === '(top level)' ? [] : keyPath.split('.');
  for (let length = segments.length; length > 0; length -= 1) {
    const path = segments.slice(0, length).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    // A key of a mapping points at the key itself; an item of a list at the item.
    const parent = length > 1 ? document.getIn(path.slice(0, -1), true) : document.contents;
    const pair = isMap(parent)
      ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === path.at(-1))
      : undefined;
    const node = pair?.key ?? document.getIn(path, true);
    if (isNode(node) && node.range) {
      const { line, col } = lineCounter.linePos(node.range[0]);
      return `${problem} (line ${line}, column ${col})`;
    }
  }
  return problem;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const keyPath = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const base = issue.path.length ? `${keyPath}.` : '';
    return issue.keys.map((key) => `${base}${key}: unknown key`).join('; ');
  }
  return `${keyPath}: ${issue.message}`;
}

function buildInventory(data: InventoryFile, file: string): Inventory {
  const baseDir = path.dirname(file);
  const problems: string[] = [];
  const schemas: Record<string, SchemaDescriptor> = { ...BUILTIN_SCHEMAS };
  for (const [name, declared] of Object.entries(data.schemas)) {
    schemas[name] = declared.builtin
      ? { ...BUILTIN_SCHEMAS[declared.builtin], name }
      : {
          name,
          tables: declared.tables!,
          emailConfigurationsTable: declared.emailConfigurationsTable ?? 'email_configurations',
          apiKeysTable: declared.apiKeysTable ?? 'api_keys',
        };
  }
  const tenants: Record<string, TenantConfig> = {};
  for (const [name, tenant] of Object.entries(data.tenants)) {
    const schema = schemas[tenant.schema];
    if (!schema) {
      problems.push(
        `tenants.${name}.schema: unknown schema '${tenant.schema}' (known: ${Object.keys(schemas).join(', ')})`,
      );
      continue;
    }
    const instances: Partial<Record<Landscape, InstanceConfig>> = {};
    for (const [landscape, instance] of Object.entries(tenant.instances) as [
      Landscape,
      NonNullable<(typeof tenant.instances)[Landscape]>,
    ][]) {
      instances[landscape] = {
        tenant: name,
        landscape,
        database: resolveDatabasePaths(instance.database, baseDir),
        backupLocation: path.resolve(baseDir, instance.backupLocation),
        emailDomain: instance.emailDomain.toLowerCase(),
        metadataLocked: instance.metadataLocked,
        maintenanceMode: instance.maintenanceMode,
      };
    }
    if (Object.keys(instances).length === 0)
      problems.push(`tenants.${name}.instances: a tenant needs at least one instance`);
    tenants[name] = {
      name,
      schema,
      contact: tenant.contact,
      tags: tenant.tags,
      dependsOn: tenant.dependsOn,
      shrinkCapBytes: parseSize(tenant.shrinkCap),
      cleanupScripts: tenant.cleanupScripts,
      instances,
      release: tenant.release,
    };
  }
  problems.push(...sharedDatabaseProblems(tenants), ...dependencyProblems(tenants));
  if (problems.length > 0) throw new InventoryError(`invalid inventory ${file}:\n  ${problems.join('\n  ')}`, problems);
  const trustedKeys = trustedKeysOf(data.approvals?.trustedKeys ?? []);
  return { file, tenants, roles: data.roles, release: data.release, ...(trustedKeys.length ? { trustedKeys } : {}) };
}

function resolveDatabasePaths(database: DatabaseConfig, baseDir: string): DatabaseConfig {
  return database.engine === 'sqlite' ? { ...database, file: path.resolve(baseDir, database.file) } : database;
}

/** docs/mass-deployment-and-promotions.md "Order": a dependency names a tenant of this inventory, never itself. */
function dependencyProblems(tenants: Record<string, TenantConfig>): string[] {
  return Object.values(tenants).flatMap((tenant) =>
    tenant.dependsOn.flatMap((other, i) =>
      other === tenant.name
        ? [`tenants.${tenant.name}.dependsOn.${i}: a tenant cannot depend on itself`]
        : tenants[other]
          ? []
          : [`tenants.${tenant.name}.dependsOn.${i}: no tenant '${other}' in the inventory`],
    ),
  );
}

/** Two instances on one database would make a copy overwrite its own source. */
function sharedDatabaseProblems(tenants: Record<string, TenantConfig>): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const tenant of Object.values(tenants)) {
    for (const instance of Object.values(tenant.instances)) {
      const db = instance.database;
      const key =
        db.engine === 'sqlite'
          ? `sqlite:${db.file}`
          : `${db.engine}:${db.host}:${db.port ?? ''}:${db.database.toLowerCase()}`;
      const where = `tenants.${tenant.name}.instances.${instance.landscape}.database`;
      const other = seen.get(key);
      if (other) problems.push(`${where}: same database as ${other}`);
      else seen.set(key, where);
    }
  }
  return problems;
}

const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

export function parseSize(size: SizeSetting): number {
  if (typeof size === 'number') return size;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB)\s*$/i.exec(size)!;
  return Math.round(Number(match[1]) * UNITS[match[2].toUpperCase()]);
}
