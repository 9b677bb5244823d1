import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { Knex } from 'knex';
import { afterAll, beforeAll, inject } from 'vitest';
import type { InstanceRef, Landscape } from '../../../domain/landscapes';
import type { ItemSelector } from '../../../domain/promotions/bundle-types';
import type { Inventory } from '../../../inventory/inventory';
import { openControlDatabase } from '../../../store/control-database';
import {
  createTenantDatabase,
  tenantDatabasesOf,
  type EngineName,
  type TenantDatabase,
} from '../packages/tenant-fixtures';
import { createScratchDatabase } from '../postgres';
import { startTestWorker, type TemporalTestContext } from '../temporal';

/** The roles of docs/mass-deployment-and-promotions.md as the inventory declares them; `svc-accept` is the user targets act as. */
export const TEST_ROLES = {
  'bundle-admin': ['bea', 'dave'],
  'promotion-admin': ['pat'],
  'accept-bundle': ['svc-accept'],
  admin: ['root'],
};

export const ASSET_FORM = '00000000-0000-4000-8000-0000000a0001';
export const ESCALATION_RULE = '00000000-0000-4000-8000-0000000a0002';

export interface PromotionFixture {
  ctx: TemporalTestContext;
  controlDb: Knex;
  /** The source (staging) and targets, by landscape. */
  knex(landscape: InstanceRef['landscape']): Knex;
  tenant: string;
  close(): Promise<void>;
}

/**
 * A tenant with staging (the source) and production and UAT (targets) on one engine, our real
 * activities and workflows on a worker of its own, and instance locks through Temporal.
 */
export async function openPromotionFixture(engine: EngineName): Promise<PromotionFixture> {
  const tenant = `t${randomUUID().slice(0, 8)}`;
  const landscapes = ['staging', 'production', 'uat'] as const;
  const databases = new Map<string, TenantDatabase>();
  for (const landscape of landscapes)
    databases.set(landscape, await createTenantDatabase(engine, `bundles_${landscape}`));
  await addSourceItems(databases.get('staging')!.knex);
  const control = await createScratchDatabase('bundles_control');
  const controlDb = await openControlDatabase(control.url);
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  const inventory: Inventory = { file: 'test inventory', tenants: {}, roles: TEST_ROLES };
  const ctx = await startTestWorker({
    controlDb,
    inventory,
    tenantDatabases: tenantDatabasesOf(
      landscapes.map((landscape) => [{ tenant, landscape }, databases.get(landscape)!.knex]),
    ),
    instanceLocks: { temporal: new Client({ connection }), holderCheckSeconds: 1 },
  });
  return {
    ctx,
    controlDb,
    tenant,
    knex: (landscape) => databases.get(landscape)!.knex,
    close: async () => {
      await ctx.stop();
      await connection.close();
      await controlDb.destroy();
      await control.drop();
      for (const database of databases.values()) await database.drop();
    },
  };
}

/**
 * Opens a promotion fixture before the file's tests and closes it after them. The returned object
 * reads through to the open fixture, so tests use it as they would the fixture itself.
 */
export function usePromotionFixture(engine: EngineName): PromotionFixture {
  let opened: PromotionFixture | undefined;
  beforeAll(async () => {
    opened = await openPromotionFixture(engine);
  });
  afterAll(async () => opened?.close());
  const current = (): PromotionFixture => {
    if (!opened) throw new Error('the promotion fixture opens in beforeAll; use it inside a test');
    return opened;
  };
  return {
    get ctx() {
      return current().ctx;
    },
    get controlDb() {
      return current().controlDb;
    },
    get tenant() {
      return current().tenant;
    },
    knex: (landscape) => current().knex(landscape),
    close: () => current().close(),
  };
}

async function addSourceItems(knex: Knex): Promise<void> {
  const at = '2026-01-05T00:00:00.000Z';
  await knex('metadata_items').insert([
    {
      guid: ASSET_FORM,
      object_type: 'Form',
      business_object: 'Incident',
      name: 'Asset Form',
      definition: JSON.stringify({ layout: 'v1' }),
      installed_by_package: null,
      updated_at: at,
    },
    {
      guid: ESCALATION_RULE,
      object_type: 'Rule',
      business_object: 'Incident',
      name: 'Escalate P1',
      definition: JSON.stringify({ when: 'priority = 1' }),
      installed_by_package: null,
      updated_at: at,
    },
  ]);
  await knex('metadata_items')
    .where({ name: 'Incident', object_type: 'BusinessObject' })
    .update({ definition: JSON.stringify({ table: 'incidents', label: 'Incident (staging)' }) });
}

/** What most promotion tests bundle: the asset form, the escalation rule and the Incident business object. */
export const BUNDLE_ITEMS: ItemSelector[] = [
  { guid: ASSET_FORM },
  { objectType: 'Rule', name: 'Escalate P1' },
  { objectType: 'BusinessObject', name: 'Incident' },
];

/** Creates `bundle` on the fixture's staging (the source) and adds `items`, as bundle-admin bea. */
export async function createBundleWithItems(
  fixture: PromotionFixture,
  bundle: string,
  items: ItemSelector[] = BUNDLE_ITEMS,
): Promise<string> {
  const source = { tenant: fixture.tenant, landscape: 'staging' as const };
  await fixture.ctx.client.promotions.bundleCommand({ action: 'create-bundle', user: 'bea', bundle, source });
  await fixture.ctx.client.promotions.bundleCommand({ action: 'add-items', user: 'bea', bundle, items });
  return bundle;
}

/** Defines a target named `name` on the fixture's `landscape`, as promotion-admin pat; returns its name. */
export async function defineTarget(
  fixture: PromotionFixture,
  name: string,
  landscape: Landscape,
  { targetUser = 'svc-accept', credentialRef = '${PROMOTE_PASSWORD}' } = {},
): Promise<string> {
  await fixture.ctx.client.promotions.bundleCommand({
    action: 'define-target',
    user: 'pat',
    target: { name, instance: { tenant: fixture.tenant, landscape }, targetUser, credentialRef },
  });
  return name;
}

export async function definitionOn(knex: Knex, guid: string): Promise<unknown> {
  const row = await knex('metadata_items').where({ guid }).first();
  return row ? JSON.parse(row.definition as string) : undefined;
}
