import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The PostgreSQL server tests use; trust auth on loopback by default. */
export const POSTGRES_URL = process.env.STAGECOACH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Fails the run with a clear message when PostgreSQL is down: it is never silently skipped. */
export async function requirePostgres(): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_URL} (${(error as Error).message}). ` +
        'Start it (.ci/run does) or point STAGECOACH_TEST_PG_URL at one.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh, uniquely named database; drop it with the returned function. */
export async function createScratchDatabase(
  prefix: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`.toLowerCase();
  await adminQuery(`create database "${name}"`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => adminQuery(`drop database if exists "${name}" with (force)`),
  };
}

/**
 * A scratch database (dropped by a function pushed to `drops`) as an inventory `database` entry; the
 * password, when the server has one, as the `${ACME_PG_PASSWORD}` reference fixtures resolve.
 */
export async function scratchInventoryDatabase(
  prefix: string,
  drops: (() => Promise<void>)[],
  user?: string,
): Promise<Record<string, unknown>> {
  const scratch = await createScratchDatabase(prefix);
  drops.push(scratch.drop);
  const server = new URL(POSTGRES_URL);
  return {
    engine: 'postgres',
    host: server.hostname,
    port: Number(server.port || 5432),
    user: user ?? (decodeURIComponent(server.username) || 'postgres'),
    ...(server.password ? { password: '${ACME_PG_PASSWORD}' } : {}),
    database: scratch.name,
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
