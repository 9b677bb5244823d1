import type { Knex } from 'knex';
import { createHash, randomBytes } from 'node:crypto';
import {
  PostRestoreFixupsInput,
  PostRestoreFixupsResult,
  ShrinkDatabaseInput,
  ShrinkDatabaseResult,
} from '../../contracts/database';
import { instanceKey } from '../../domain/landscapes';
import { assertIdentifier } from '../../engines/identifiers';
import { heartbeat } from '../shared/activity-context';
import { nonRetryable } from '../shared/database-failures';
import { withTenantDatabases, type DatabaseActivityDependencies } from './database-dependencies';
/** The tenant's own clean-up scripts live in this table of the sample schema (docs/database-operations.md "Post-restore fix-ups"). */
const CLEANUP_TABLE = 'cleanup_scripts';

export function createPostRestoreFixupActivities(deps: DatabaseActivityDependencies) {
  return {
    /**
     * Post-restore fix-ups (docs/database-operations.md), in one transaction on the target: the source's email configurations off,
     * the target's email domain on, a fresh API key (keys are unique per instance), then the
     * tenant's clean-up scripts. Re-running it converges to the same state (plus a new key).
     */
    async applyPostRestoreFixups(input: PostRestoreFixupsInput): Promise<PostRestoreFixupsResult> {
      return withTenantDatabases(deps, async (databases) => {
        const tenant = databases.tenant(input.target.tenant);
        const domain = databases.instance(input.target).emailDomain;
        const emailTable = assertIdentifier(tenant.schema.emailConfigurationsTable, 'email configurations table');
        const keysTable = assertIdentifier(tenant.schema.apiKeysTable, 'API keys table');
        const knex = await databases.knexFor(input.target);
        return knex.transaction(async (trx) => {
          const disabled = await trx(emailTable)
            .whereNot({ domain })
            .andWhere({ enabled: true })
            .update({ enabled: false });
          const enabled = await trx(emailTable).where({ domain }).update({ enabled: true });
          if (enabled === 0) {
            await trx(emailTable).insert({
              name: `${input.target.landscape}-service-desk`,
              mailbox: `servicedesk@${domain}`,
              domain,
              enabled: true,
            });
          }
          const replaced = await trx(keysTable).delete();
          // Only the hash is stored; the key itself is handed out by the application's own admin UI.
          const keyHash = createHash('sha256').update(randomBytes(32)).digest('hex');
          await trx(keysTable).insert({
            label: `${instanceKey(input.target)} (issued after restore)`,
            key_hash: keyHash,
            created_at: deps.clock.now().toISOString(),
          });
          const scripts = await runCleanupScripts(
            trx,
            tenant.cleanupScripts,
            tenant.schema.tables[CLEANUP_TABLE] !== undefined,
            instanceKey(input.target),
          );
          return {
            emailConfigurationsDisabled: disabled,
            targetEmailDomain: domain,
            apiKeysReplaced: replaced,
            cleanupScriptsRun: scripts,
          };
        });
      });
    },
  };
}

export function createShrinkActivities(deps: DatabaseActivityDependencies) {
  return {
    /**
     * Shrinks the target to the tenant's size cap (default 5 GB, docs/database-operations.md "Shrink") by purging the oldest rows of
     * transactional tables in proportion, then compacting. Other data classes are never touched.
     */
    async shrinkDatabase(input: ShrinkDatabaseInput): Promise<ShrinkDatabaseResult> {
      return withTenantDatabases(deps, async (databases) => {
        const tenant = databases.tenant(input.target.tenant);
        const engine = databases.engineFor(input.target);
        const connection = databases.connectionFor(input.target);
        const capBytes = tenant.shrinkCapBytes;
        const sizeBefore = await engine.databaseSizeBytes(connection);
        const tables = Object.entries(tenant.schema.tables)
          .filter(([, c]) => c === 'transactional')
          .map(([t]) => assertIdentifier(t, 'table name'));
        let size = sizeBefore;
        let rowsPurged = 0;
        // Part of the size is not purgeable (catalogs, configuration), so one proportional pass
        // can fall short: repeat on the measured size until it fits or nothing is left to purge.
        for (let round = 0; round < 8 && size > capBytes; round++) {
          const knex = await databases.knexFor(input.target);
          let purged = 0;
          for (const table of tables) {
            purged += await purgeOldest(knex, table, (capBytes / size) * 0.8);
            heartbeat({ step: 'shrink', table, rowsPurged: rowsPurged + purged });
          }
          await databases.release(input.target);
          if (purged === 0) break;
          rowsPurged += purged;
          await engine.compact(connection, { onProgress: () => heartbeat({ step: 'compact' }) });
          size = await engine.databaseSizeBytes(connection);
        }
        return { capBytes, sizeBefore, sizeAfter: size, rowsPurged };
      });
    },
  };
}

export async function runCleanupScripts(
  trx: Knex.Transaction,
  fromInventory: { name: string; sql: string }[],
  tableExists: boolean,
  target: string,
): Promise<string[]> {
  const fromTenant = tableExists
    ? (
        (await trx(CLEANUP_TABLE).select('name', 'statement').orderBy('run_order')) as {
          name: string;
          statement: string;
        }[]
      ).map((r) => ({ name: r.name, sql: r.statement }))
    : [];
  const run: string[] = [];
  for (const script of [...fromInventory, ...fromTenant]) {
    try {
      // Clean-up scripts are SQL written by the tenant's administrators: trusted configuration.
      await trx.raw(script.sql);
    } catch (error) {
      throw nonRetryable(
        'CleanupScriptFailed',
        `clean-up script '${script.name}' failed on ${target}: ${(error as Error).message}`,
      );
    }
    run.push(script.name);
  }
  return run;
}

/** Deletes the oldest rows by id so that `keepFraction` of them remain; batched to keep transactions small. */
async function purgeOldest(knex: Knex, table: string, keepFraction: number): Promise<number> {
  const [{ count }] = (await knex(table).count({ count: '*' })) as { count: string | number }[];
  const purge = Number(count) - Math.floor(Number(count) * keepFraction);
  if (purge <= 0) return 0;
  const cutoff = (await knex(table)
    .select('id')
    .orderBy('id')
    .offset(purge - 1)
    .limit(1)
    .first()) as { id: number | string } | undefined;
  if (!cutoff) return 0;
  let purged = 0;
  for (;;) {
    const batch = await knex(table)
      .whereIn('id', knex(table).select('id').where('id', '<=', cutoff.id).orderBy('id').limit(10_000))
      .delete();
    purged += batch;
    if (batch === 0) return purged;
  }
}
