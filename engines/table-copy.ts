import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Knex } from 'knex';
import type { Client as PgClient } from 'pg';
import type BetterSqlite3 from 'better-sqlite3';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { DatabaseError } from './engine';
import { quoteIdentifier } from './identifiers';

export interface TableCopyOptions {
  batchSize: number;
  /** Rows copied so far in this table. */
  onRows?: (rows: number) => void;
}

/**
 * Replaces the rows of `table` in `target` with those of `source`, in one target transaction
 * (readers see the old rows or the new ones). No row limit: rows stream through in batches.
 * PostgreSQL to PostgreSQL pipes COPY TO STDOUT into COPY FROM STDIN; other pairs page through
 * the source by id and insert multi-row batches.
 */
export async function copyTableRows(
  source: Knex,
  target: Knex,
  table: string,
  options: TableCopyOptions,
): Promise<number> {
  const isPg = (k: Knex) => k.client.config.client === 'pg';
  const isSqlite = (k: Knex) => k.client.config.client === 'better-sqlite3';
  quoteIdentifier('postgres', table, 'table name');
  const rows =
    isPg(source) && isPg(target)
      ? await copyWithPgCopy(source, target, table, options)
      : isSqlite(source) && isSqlite(target)
        ? await copySqliteBatches(source, target, table, options)
        : await copyInBatches(source, target, table, options);
  if (isPg(target)) await resetSequence(target, table);
  return rows;
}

async function copyWithPgCopy(source: Knex, target: Knex, table: string, options: TableCopyOptions): Promise<number> {
  const quoted = quoteIdentifier('postgres', table, 'table name');
  const reader = (await source.client.acquireConnection()) as PgClient;
  const writer = (await target.client.acquireConnection()) as PgClient;
  try {
    await writer.query('begin');
    await writer.query(`delete from ${quoted}`);
    let rows = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        // COPY text rows end in a newline; newlines inside values are escaped as \n.
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
        options.onRows?.(rows);
        callback(null, chunk);
      },
    });
    await pipeline(
      reader.query(copyTo(`copy ${quoted} to stdout`)),
      counter,
      writer.query(copyFrom(`copy ${quoted} from stdin`)),
    );
    await writer.query('commit');
    return rows;
  } catch (error) {
    await writer.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await source.client.releaseConnection(reader);
    await target.client.releaseConnection(writer);
  }
}

/**
 * The target attaches the source file and copies id-ordered batches inside the engine (no row
 * passes through JavaScript), yielding between batches so heartbeats go out.
 */
async function copySqliteBatches(
  source: Knex,
  target: Knex,
  table: string,
  options: TableCopyOptions,
): Promise<number> {
  const quoted = quoteIdentifier('sqlite', table, 'table name');
  const sourceFile = (source.client.config.connection as { filename: string }).filename;
  const writer = (await target.client.acquireConnection()) as BetterSqlite3.Database;
  writer.prepare('attach database ? as refresh_source').run(sourceFile);
  try {
    const columns = (writer.pragma(`refresh_source.table_info(${quoted})`) as { name: string }[]).map((c) =>
      quoteIdentifier('sqlite', c.name, 'column name'),
    );
    if (!columns.includes('"id"'))
      throw new DatabaseError('invalid-input', `table ${table} has no id column: a batched refresh pages by id`);
    const list = columns.join(', ');
    const copyBatch = writer.prepare(
      `insert into main.${quoted} (${list}) select ${list} from refresh_source.${quoted} where id > ? order by id limit ?`,
    );
    const lastCopied = writer.prepare(`select max(id) as id from main.${quoted}`);
    const batch = Math.max(options.batchSize, 50_000);
    writer.exec('begin immediate');
    try {
      writer.exec(`delete from main.${quoted}`);
      let rows = 0;
      let lastId: unknown = -Infinity;
      for (;;) {
        const copied = copyBatch.run(lastId, batch).changes;
        if (copied === 0) break;
        rows += copied;
        lastId = (lastCopied.get() as { id: unknown }).id;
        options.onRows?.(rows);
        await new Promise((resolve) => setImmediate(resolve));
      }
      writer.exec('commit');
      return rows;
    } catch (error) {
      if (writer.inTransaction) writer.exec('rollback');
      throw error;
    }
  } finally {
    writer.exec('detach database refresh_source');
    await target.client.releaseConnection(writer);
  }
}

async function copyInBatches(source: Knex, target: Knex, table: string, options: TableCopyOptions): Promise<number> {
  const columns = Object.keys(await source(table).columnInfo());
  if (!columns.includes('id'))
    throw new DatabaseError('invalid-input', `table ${table} has no id column: a batched refresh pages by id`);
  // Keep each INSERT under the smallest bound-parameter limit of our engines (SQL Server: 2100).
  const insertRows = Math.max(1, Math.min(options.batchSize, Math.floor(2000 / columns.length)));
  return target.transaction(async (trx) => {
    await trx(table).delete();
    let rows = 0;
    let lastId: unknown = undefined;
    for (;;) {
      const query = source(table).select(columns).orderBy('id').limit(options.batchSize);
      if (lastId !== undefined) query.where('id', '>', lastId as Knex.Value);
      const batch = (await query) as Record<string, unknown>[];
      if (batch.length === 0) return rows;
      for (let i = 0; i < batch.length; i += insertRows) await trx(table).insert(batch.slice(i, i + insertRows));
      rows += batch.length;
      lastId = batch[batch.length - 1].id;
      options.onRows?.(rows);
    }
  });
}

/** Copied ids bypass the sequence; move it past them so the application can insert again. */
async function resetSequence(target: Knex, table: string): Promise<void> {
  await target.raw(
    `select setval(seq, coalesce((select max(id) from ??), 0) + 1, false) from (select pg_get_serial_sequence(?, 'id') as seq) s where seq is not null`,
    [table, table],
  );
}
