// Many PostgreSQL tenants, each its own database, copied from one template database built with the
// sample schema and seed (as test/support/deployments/tenant-fleet.ts does for SQLite files), and an
// inventory naming them all at a given endpoint (the latency proxy), for the worker's real
// InventoryTenantDatabases.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import knexFactory from 'knex';
import { Client, Pool } from 'pg';
import { stringify } from 'yaml';
import { createSampleTenantSchema } from '../../dev/sample/tenant-schema';
import { seedTenant } from '../../test/support/packages/tenant-fixtures';
import { PG_URL } from '../bench-fixture';
import { parentPid } from './process-usage';

/** Admin work (create, drop, counting connections) goes straight to the server, never through the proxy. */
const admin = new Pool({ connectionString: PG_URL, max: 8 });
/**
 * Every database of this run starts with this: a run that is interrupted drops them all by it, and one that was
 * killed leaves names one can find (`sc_bench_deploy_…`) and drop.
 */
/** Creates and drops side by side: each DROP DATABASE waits for a checkpoint, which concurrent drops share. */
const PARALLEL_ADMIN = 8;
const RUN_PREFIX = `sc_bench_deploy_${randomBytes(4).toString('hex')}_`;

export interface PostgresTemplate {
  name: string;
  drop(): Promise<void>;
}

export interface PostgresFleet {
  dir: string;
  inventoryFile: string;
  tenants: string[];
  /** Connections the server has open to this fleet's databases right now. */
  connections(): Promise<number>;
  /** Drops every database of the fleet, also those of a creation that failed half-way. */
  remove(): Promise<void>;
}

export async function createPostgresTemplate(): Promise<PostgresTemplate> {
  const name = `${RUN_PREFIX}template`;
  await admin.query(`create database "${name}"`);
  const drop = () => dropDatabases(name);
  try {
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    const knex = knexFactory({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 1 } });
    try {
      await createSampleTenantSchema(knex);
      await seedTenant(knex);
    } finally {
      // CREATE DATABASE … TEMPLATE refuses a template that anyone is connected to.
      await knex.destroy();
    }
    return { name, drop };
  } catch (error) {
    await drop();
    throw error;
  }
}

/** `count` copies of the template, reached at `endpoint`; `prefix` names the tenants and must differ between fleets. */
export async function createPostgresFleet(
  count: number,
  options: { prefix: string; template: PostgresTemplate; endpoint: { host: string; port: number } },
): Promise<PostgresFleet> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-pg-fleet-'));
  const fleetPrefix = `${RUN_PREFIX}fleet_${options.prefix}_`;
  const tenants = Array.from({ length: count }, (_, i) => `${options.prefix}${String(i).padStart(5, '0')}`);
  const user = decodeURIComponent(new URL(PG_URL).username) || 'postgres';
  const remove = async () => {
    await dropDatabases(fleetPrefix);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const inventoryFile = path.join(dir, 'stagecoach.yaml');
  try {
    let next = 0;
    const copier = async () => {
      for (let i = next++; i < count; i = next++) {
        await admin.query(`create database "${fleetPrefix}${tenants[i]}" template "${options.template.name}"`);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_ADMIN }, copier));
    const { host, port } = options.endpoint;
    const inventory = Object.fromEntries(
      tenants.map((tenant) => [
        tenant,
        {
          schema: 'sample-itsm',
          instances: {
            production: {
              database: { engine: 'postgres', host, port, user, database: `${fleetPrefix}${tenant}` },
              backupLocation: `backups/${tenant}`,
              emailDomain: `${tenant}.example.com`,
            },
          },
        },
      ]),
    );
    fs.writeFileSync(
      inventoryFile,
      stringify({ version: 1, roles: { 'deployment-admin': ['bench'] }, tenants: inventory }),
    );
    // The copies' pages go to disk now, not in a checkpoint during the timed run that follows.
    await admin.query('checkpoint');
  } catch (error) {
    await remove();
    throw error;
  }
  const connections = async () => {
    const { rows } = await admin.query<{ n: number }>(
      'select count(*)::int as n from pg_stat_activity where starts_with(datname, $1)',
      [fleetPrefix],
    );
    return rows[0].n;
  };
  return { dir, inventoryFile, tenants, connections, remove };
}

/** The server's connection limit, which every pooled tenant connection counts against. */
export async function serverMaxConnections(): Promise<number> {
  const { rows } = await admin.query<{ max_connections: string }>('show max_connections');
  return Number(rows[0].max_connections);
}

/** Median of `samples` `select 1` round trips on one connection to `endpoint`, in milliseconds. */
export async function medianRoundTripMs(endpoint: { host: string; port: number }, samples = 50): Promise<number> {
  const url = new URL(PG_URL);
  const client = new Client({
    ...endpoint,
    user: decodeURIComponent(url.username) || 'postgres',
    database: 'postgres',
  });
  await client.connect();
  try {
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      await client.query('select 1');
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[Math.floor(samples / 2)];
  } finally {
    await client.end();
  }
}

/** Drops every database this run created: for an interrupted run, whose own clean-up will not run. */
export async function dropRunDatabases(): Promise<void> {
  await dropDatabases(RUN_PREFIX);
}

/** The postmaster's process id when the server runs beside the bench (its CPU is then readable), else undefined. */
export async function localPostmasterPid(): Promise<number | undefined> {
  const { rows } = await admin.query<{ pid: number }>('select pg_backend_pid() as pid');
  try {
    return parentPid(rows[0].pid);
  } catch {
    return undefined;
  }
}

/** Closes the admin connections; call once, after every fleet and template is removed. */
export async function closePostgresAdmin(): Promise<void> {
  await admin.end();
}

async function dropDatabases(prefix: string): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    'select datname from pg_database where starts_with(datname, $1)',
    [prefix],
  );
  let next = 0;
  const dropper = async () => {
    for (let i = next++; i < rows.length; i = next++) {
      await admin.query(`drop database if exists "${rows[i].datname}" with (force)`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_ADMIN }, dropper));
}
