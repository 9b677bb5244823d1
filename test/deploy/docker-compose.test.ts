import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SEARCH_ATTRIBUTES, TASK_QUEUE } from '../../contracts/temporal-names';
import { WORKER_ENV, workerSettingsFromEnv } from '../../worker/settings';

// No Docker engine runs here: check that the compose file agrees with the worker's configuration.
const root = path.resolve(__dirname, '..', '..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<
    string,
    {
      image?: string;
      build?: unknown;
      ports?: string[];
      environment?: Record<string, string>;
      command?: string[];
      depends_on?: unknown;
      volumes?: string[];
    }
  >;
};
const services = compose.services;

/** Compose's ${VAR:-default} / ${VAR:?message} interpolation, enough to read our own file. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    if (env[name] !== undefined) return env[name];
    if (op === '-') return arg ?? '';
    throw new Error(`${name} is required: ${arg}`);
  });
}

describe('docker-compose.yml', () => {
  it('has the production-like topology', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['postgresql', 'sqlserver', 'temporal', 'temporal-admin-tools', 'temporal-ui', 'worker'].sort(),
    );
    expect(services.temporal.ports).toContain('7233:7233');
    expect(services['temporal-ui'].ports).toContain('8080:8080');
    expect(services.sqlserver.ports).toContain('1433:1433');
    expect(services.temporal.environment?.DB).toBe('postgres12');
    expect(services.worker.build).toBe('.');
    expect(fs.existsSync(path.join(root, 'Dockerfile'))).toBe(true);
  });

  it('gives the worker only variables it reads, pointing at the compose services', () => {
    const env = services.worker.environment ?? {};
    const known = new Set<string>([...Object.values(WORKER_ENV), 'MSSQL_SA_PASSWORD']);
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);

    const resolved = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, interpolate(v, { MSSQL_SA_PASSWORD: 'x' })]),
    );
    const settings = workerSettingsFromEnv(resolved);
    expect(settings.taskQueue).toBe(TASK_QUEUE);
    const [host, port] = settings.temporalAddress.split(':');
    expect(services[host]).toBeDefined();
    expect(services[host].ports).toContain(`${port}:${port}`);
    const controlDb = new URL(settings.controlDbUrl);
    expect(controlDb.protocol).toBe('postgres:');
    expect(services[controlDb.hostname]).toBeDefined();
    expect(fs.readFileSync(path.join(root, 'deploy/postgres-init.sql'), 'utf8')).toContain(
      `CREATE DATABASE ${controlDb.pathname.slice(1)}`,
    );
  });

  it('registers every search attribute the workflows set, and the UI points at the server', () => {
    const script = services['temporal-admin-tools'].command?.join(' ') ?? '';
    const registered = [...script.matchAll(/--name (\w+) --type (\w+)/g)].map((m) => [m[1], m[2]]);
    expect(registered.sort()).toEqual(
      Object.values(SEARCH_ATTRIBUTES)
        .map((name) => [name, 'Keyword'])
        .sort(),
    );
    expect(services['temporal-ui'].environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('never hard-codes the SQL Server password', () => {
    expect(services.sqlserver.environment?.MSSQL_SA_PASSWORD).toMatch(/^\$\{MSSQL_SA_PASSWORD:\?/);
    expect(services.worker.environment?.MSSQL_SA_PASSWORD).toMatch(/^\$\{MSSQL_SA_PASSWORD:\?/);
  });
});
