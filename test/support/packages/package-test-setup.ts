import type { Knex } from 'knex';
import { afterEach } from 'vitest';
import type { InstanceRef } from '../../../domain/landscapes';
import { PackageHarness } from './activity-harness';
import type { EngineName } from './tenant-fixtures';

export const uat: InstanceRef = { tenant: 'acme', landscape: 'uat' };
export const production: InstanceRef = { tenant: 'acme', landscape: 'production' };

export interface OpenedHarness {
  harness: PackageHarness;
  /** The database of the first instance opened. */
  knex: Knex;
}

/**
 * For the enclosing describe: returns `open`, which gives each test a fresh harness on `engine`
 * over `instances` (UAT unless named), and closes the last one opened after each test.
 */
export function usePackageHarness(engine: EngineName): (instances?: InstanceRef[]) => Promise<OpenedHarness> {
  let harness: PackageHarness | undefined;
  afterEach(async () => harness?.close());
  return async (instances = [uat]) => {
    const opened = new PackageHarness(engine);
    harness = opened;
    await opened.open(instances);
    return { harness: opened, knex: opened.knex(instances[0]) };
  };
}

/** The metadata row with this GUID (undefined when the target has none). */
export function metadataItem(knex: Knex, itemGuid: string) {
  return knex('metadata_items').where({ guid: itemGuid }).first();
}
