import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type BetterSqlite3 from 'better-sqlite3';
import type { Client as PgClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export interface TenantDataOptions {
  /** Rows of `incidents`, the big transactional table; up to millions. */
  incidents: number;
  incidentNotes?: number;
  changeRequests?: number;
  appLog?: number;
  /** Length of each incident's description: pads a database to a wanted size (benchmarks). */
  descriptionLength?: number;
  /** The instance's email domain, written into its email configuration. */
  emailDomain?: string;
}

type Row = (string | number | null)[];
interface BulkTable {
  table: string;
  columns: string[];
  count: number;
  row(i: number): Row;
}

const STATUSES = ['Logged', 'Active', 'Waiting', 'Resolved', 'Closed'];
const BATCH = 5000;

/**
 * Fills a database created by `createSampleTenantSchema` with configuration (settings, email,
 * API key, clean-up scripts, metadata, validation lists), master data and generated
 * transactional rows. Deterministic per index, and fast: COPY on PostgreSQL, one prepared
 * statement in one transaction on SQLite, multi-row batches elsewhere.
 */
export async function generateTenantData(knex: Knex, options: TenantDataOptions): Promise<void> {
  await insertConfiguration(knex, options.emailDomain ?? 'demo.example.com');
  const description = 'Printer on floor 3 jams when printing duplex. '
    .repeat(Math.ceil((options.descriptionLength ?? 60) / 46))
    .slice(0, options.descriptionLength ?? 60);
  const tables: BulkTable[] = [
    {
      table: 'incidents',
      columns: ['id', 'subject', 'description', 'status', 'priority', 'category_id', 'owner_id', 'created_at'],
      count: options.incidents,
      row: (i) => [
        i,
        `Incident ${i}`,
        description,
        STATUSES[i % 5],
        1 + (i % 4),
        1 + (i % 8),
        1 + (i % 50),
        timestamp(i),
      ],
    },
    {
      table: 'incident_notes',
      columns: ['id', 'incident_id', 'body', 'created_at'],
      count: options.incidentNotes ?? Math.floor(options.incidents / 4),
      row: (i) => [i, 1 + (i % Math.max(1, options.incidents)), `Called the user back (${i})`, timestamp(i)],
    },
    {
      table: 'change_requests',
      columns: ['id', 'title', 'risk', 'status', 'created_at'],
      count: options.changeRequests ?? Math.floor(options.incidents / 20),
      row: (i) => [i, `Change ${i}`, ['low', 'medium', 'high'][i % 3], STATUSES[i % 5], timestamp(i)],
    },
    {
      table: 'app_log',
      columns: ['id', 'logged_at', 'level', 'category', 'message'],
      count: options.appLog ?? Math.floor(options.incidents / 10),
      row: (i) => [i, timestamp(i), ['info', 'debug', 'warning'][i % 3], 'application', `Request ${i} served`],
    },
  ];
  for (const table of tables) await bulkInsert(knex, table);
  await resetSequences(
    knex,
    tables.map((t) => t.table),
  );
}

function timestamp(i: number): string {
  return new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
}

async function bulkInsert(knex: Knex, spec: BulkTable): Promise<void> {
  if (spec.count === 0) return;
  const client = knex.client.config.client as string;
  if (client === 'better-sqlite3') return insertSqlite(knex, spec);
  if (client === 'pg') return copyPostgres(knex, spec);
  // SQL Server refuses explicit values for IDENTITY columns; inserting in order, it assigns 1..n itself.
  const skipped = client === 'mssql' ? 'id' : undefined;
  for (let start = 1; start <= spec.count; start += BATCH) {
    const rows = [];
    for (let i = start; i < Math.min(start + BATCH, spec.count + 1); i++) {
      rows.push(Object.fromEntries(spec.columns.map((c, k) => [c, spec.row(i)[k]]).filter(([c]) => c !== skipped)));
    }
    await knex.batchInsert(spec.table, rows, 200);
  }
}

async function insertSqlite(knex: Knex, spec: BulkTable): Promise<void> {
  const db = (await knex.client.acquireConnection()) as BetterSqlite3.Database;
  try {
    const insert = db.prepare(
      `insert into "${spec.table}" (${spec.columns.map((c) => `"${c}"`).join(', ')}) values (${spec.columns.map(() => '?').join(', ')})`,
    );
    db.transaction(() => {
      for (let i = 1; i <= spec.count; i++) insert.run(spec.row(i));
    })();
  } finally {
    await knex.client.releaseConnection(db);
  }
}

async function copyPostgres(knex: Knex, spec: BulkTable): Promise<void> {
  const client = (await knex.client.acquireConnection()) as PgClient;
  try {
    const stream = client.query(
      copyFrom(`copy "${spec.table}" (${spec.columns.map((c) => `"${c}"`).join(', ')}) from stdin`),
    );
    await pipeline(Readable.from(copyText(spec)), stream);
  } finally {
    await knex.client.releaseConnection(client);
  }
}

/** COPY text format; generated values contain no tab, newline or backslash to escape. */
function* copyText(spec: BulkTable): Generator<string> {
  for (let start = 1; start <= spec.count; start += BATCH) {
    let chunk = '';
    for (let i = start; i < Math.min(start + BATCH, spec.count + 1); i++) {
      chunk +=
        spec
          .row(i)
          .map((v) => (v === null ? '\\N' : String(v)))
          .join('\t') + '\n';
    }
    yield chunk;
  }
}

/** Explicit ids bypass PostgreSQL sequences; move them past the data so the application can insert. */
async function resetSequences(knex: Knex, tables: string[]): Promise<void> {
  if (knex.client.config.client !== 'pg') return;
  for (const table of tables) {
    await knex.raw(`select setval(pg_get_serial_sequence(?, 'id'), coalesce((select max(id) from ??), 0) + 1, false)`, [
      table,
      table,
    ]);
  }
}

async function insertConfiguration(knex: Knex, emailDomain: string): Promise<void> {
  await knex('tenant_settings').insert([
    { key: 'metadata_locked', value: 'false' },
    { key: 'maintenance_mode', value: 'false' },
    { key: 'time_zone', value: 'Europe/Berlin' },
  ]);
  await knex('email_configurations').insert([
    { name: 'service-desk', mailbox: `servicedesk@${emailDomain}`, domain: emailDomain, enabled: true },
    { name: 'change-board', mailbox: `cab@${emailDomain}`, domain: emailDomain, enabled: true },
  ]);
  await knex('api_keys').insert({ label: 'integration', key_hash: randomUUID(), created_at: timestamp(0) });
  await knex('cleanup_scripts').insert({
    run_order: 1,
    name: 'purge debug log',
    statement: "delete from app_log where level = 'debug'",
  });
  await knex('metadata_items').insert(
    ['Incident', 'Change', 'Problem'].map((bo, i) => ({
      guid: `00000000-0000-4000-8000-00000000000${i}`,
      object_type: 'businessObject',
      business_object: bo,
      name: bo,
      definition: JSON.stringify({ fields: ['Subject', 'Status', 'Priority'] }),
      installed_by_package: null,
      updated_at: timestamp(i),
    })),
  );
  await knex('validation_lists').insert({ guid: '10000000-0000-4000-8000-000000000000', name: 'Priority' });
  await knex('validation_list_values').insert(
    [1, 2, 3, 4].map((p) => ({ list_guid: '10000000-0000-4000-8000-000000000000', value: `P${p}`, ordinal: p })),
  );
  await knex('teams').insert(['Service Desk', 'Network', 'Workplace'].map((name) => ({ name })));
  await knex('categories').insert(Array.from({ length: 8 }, (_, i) => ({ name: `Category ${i + 1}` })));
  await knex('employees').insert(
    Array.from({ length: 50 }, (_, i) => ({
      login: `user${i + 1}`,
      display_name: `User ${i + 1}`,
      email: `user${i + 1}@${emailDomain}`,
    })),
  );
}
