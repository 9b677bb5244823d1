import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import { instanceKey, type InstanceRef } from '../../domain/landscapes';
import { isUniqueViolation } from '../../store/unique-violation';
import type { TenantDatabases } from '../shared/tenant-databases';
import { FlagChange } from '../../contracts/instance-flags';
import { InstanceFlag, INSTANCE_FLAG_KEYS } from '../../domain/instance-flags';
const SETTINGS_TABLE = 'tenant_settings';

export interface InstanceFlags {
  metadataLocked: boolean;
  maintenanceMode: boolean;
}

export function createInstanceFlagActivities(deps: { tenantDatabases: () => TenantDatabases }) {
  const set = async (instance: InstanceRef, flag: InstanceFlag, value: boolean): Promise<FlagChange> => {
    const knex = await deps.tenantDatabases().knexFor(instance);
    try {
      return await upsertFlag(knex, flag, value);
    } catch (error) {
      // Two writers inserting the first row at once: the loser finds the row on a second try.
      if (isUniqueViolation(error)) return upsertFlag(knex, flag, value);
      throw describeFailure(error, instance);
    }
  };

  return {
    /** Sets or clears `metadata_locked` (read-only configuration). Idempotent. */
    async setMetadataLock(input: { instance: InstanceRef; locked: boolean }): Promise<FlagChange> {
      return set(input.instance, 'metadataLocked', input.locked);
    },
    /** Puts the instance into maintenance mode or takes it out. Idempotent. */
    async setMaintenanceMode(input: { instance: InstanceRef; on: boolean }): Promise<FlagChange> {
      return set(input.instance, 'maintenanceMode', input.on);
    },
    /** Both flags as the instance's database has them now; a missing row reads as false. */
    async readInstanceFlags(input: { instance: InstanceRef }): Promise<InstanceFlags> {
      const knex = await deps.tenantDatabases().knexFor(input.instance);
      try {
        const rows: { key: string; value: string }[] = await knex(SETTINGS_TABLE)
          .whereIn('key', Object.values(INSTANCE_FLAG_KEYS))
          .select('key', 'value');
        const byKey = new Map(rows.map((row) => [row.key, row.value]));
        return {
          metadataLocked: byKey.get(INSTANCE_FLAG_KEYS.metadataLocked) === 'true',
          maintenanceMode: byKey.get(INSTANCE_FLAG_KEYS.maintenanceMode) === 'true',
        };
      } catch (error) {
        throw describeFailure(error, input.instance);
      }
    },
  };
}

async function upsertFlag(knex: Knex, flag: InstanceFlag, value: boolean): Promise<FlagChange> {
  const key = INSTANCE_FLAG_KEYS[flag];
  const text = String(value);
  return knex.transaction(async (trx) => {
    const row: { value: string } | undefined = await trx(SETTINGS_TABLE).where({ key }).first('value');
    if (!row) {
      await trx(SETTINGS_TABLE).insert({ key, value: text });
      return { flag, value, previous: undefined, changed: true };
    }
    const previous = row.value === 'true';
    if (row.value !== text) await trx(SETTINGS_TABLE).where({ key }).update({ value: text });
    return { flag, value, previous, changed: row.value !== text };
  });
}

/** A missing settings table is not fixed by retrying: say which instance lacks it. */
function describeFailure(error: unknown, instance: InstanceRef): unknown {
  const e = error as { code?: string; number?: number; message?: string };
  const missingTable =
    e.code === '42P01' || e.number === 208 || (e.code === 'SQLITE_ERROR' && /no such table/.test(e.message ?? ''));
  if (!missingTable) return error;
  return ApplicationFailure.nonRetryable(
    `the database of ${instanceKey(instance)} has no ${SETTINGS_TABLE} table to hold its flags (${e.message})`,
    'MissingSettingsTable',
  );
}
