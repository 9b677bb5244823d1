import { RefreshTransactionalInput, RefreshTransactionalResult } from '../../contracts/database';
import { instanceKey } from '../../domain/landscapes';
import { copyTableRows } from '../../engines/table-copy';
import { heartbeat, lastHeartbeat } from '../shared/activity-context';
import { nonRetryable, withDatabaseFailures } from '../shared/database-failures';
import { requireDatabases, type DatabaseActivityDependencies } from './database-dependencies';

/** Heartbeat details: tables already refreshed, skipped by a retry. */
interface RefreshCheckpoint {
  done: { table: string; rows: number }[];
  table?: string;
  rows?: number;
}

/**
 * Transactional refresh (docs/database-operations.md "Transactional refresh"): copies only the tables the schema descriptor marks
 * `transactional` from source to target, each table replaced in one transaction, in batches,
 * with no row limit (older tooling failed beyond 100,000 records).
 */
export function createRefreshActivity(deps: DatabaseActivityDependencies) {
  return {
    async refreshTransactionalData(input: RefreshTransactionalInput): Promise<RefreshTransactionalResult> {
      return withDatabaseFailures(async () => {
        if (input.source.tenant !== input.target.tenant) {
          throw nonRetryable(
            'InvalidRefresh',
            `a transactional refresh stays within one tenant: ${instanceKey(input.source)} → ${instanceKey(input.target)}`,
          );
        }
        if (instanceKey(input.source) === instanceKey(input.target)) {
          throw nonRetryable('InvalidRefresh', `source and target are both ${instanceKey(input.source)}`);
        }
        const databases = requireDatabases(deps);
        const tables = Object.entries(databases.tenant(input.source.tenant).schema.tables)
          .filter(([, dataClass]) => dataClass === 'transactional')
          .map(([table]) => table);
        const source = await databases.knexFor(input.source);
        const target = await databases.knexFor(input.target);
        const started = Date.now();
        const done = [...(lastHeartbeat<RefreshCheckpoint>()?.done ?? [])];
        for (const table of tables) {
          if (done.some((d) => d.table === table)) continue;
          const rows = await copyTableRows(source, target, table, {
            batchSize: input.batchSize ?? 5000,
            onRows: (rows) => heartbeat({ done, table, rows } satisfies RefreshCheckpoint),
          });
          done.push({ table, rows });
          heartbeat({ done } satisfies RefreshCheckpoint);
        }
        return { tables: done, rows: done.reduce((sum, t) => sum + t.rows, 0), seconds: (Date.now() - started) / 1000 };
      });
    },
  };
}
