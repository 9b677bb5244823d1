import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseError, type DatabaseConnection } from '../../engines/engine';
import { assertIdentifier, quoteIdentifier } from '../../engines/identifiers';
import { PostgresEngine } from '../../engines/postgres/postgres-engine';
import { SqliteEngine } from '../../engines/sqlite/sqlite-engine';
import { InventoryError } from '../../inventory/inventory';
import { parseInventory } from '../../inventory/load-inventory';
import { createScratchDatabase } from '../support/postgres';

const ATTACKS = [
  'incidents"; drop table incidents; --',
  'incidents; drop table incidents',
  "incidents' or '1'='1",
  'x]; drop database master; --',
  'inc idents',
  'public.incidents',
  '1incidents',
  '',
  'a'.repeat(64),
  'ıncidents',
  'incidents\u0000',
];

function kindOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as DatabaseError).kind;
  }
  return undefined;
}

async function asyncKindOf(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run();
  } catch (error) {
    return error instanceof DatabaseError ? error.kind : `not a DatabaseError: ${(error as Error).message}`;
  }
  return undefined;
}

describe('identifiers', () => {
  it.each(ATTACKS)('refuses %j', (attack) => {
    expect(kindOf(() => assertIdentifier(attack, 'table name'))).toBe('invalid-identifier');
    expect(kindOf(() => quoteIdentifier('mssql', attack))).toBe('invalid-identifier');
  });

  it('quotes valid names per engine and names what was refused', () => {
    expect(quoteIdentifier('postgres', 'incident_notes')).toBe('"incident_notes"');
    expect(quoteIdentifier('mssql', '_Tenant1')).toBe('[_Tenant1]');
    expect(() => assertIdentifier('a;b', 'scratch database name')).toThrow('invalid scratch database name "a;b"');
  });

  it('the inventory refuses table and database names that are not identifiers, naming the key', () => {
    const text = `
version: 1
schemas:
  custom: { tables: { "incidents; drop table x": transactional } }
tenants: {}
`;
    try {
      parseInventory(text, 'stagecoach.yaml');
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(InventoryError);
      expect((error as InventoryError).problems.join('\n')).toContain('schemas.custom.tables');
    }
  });
});

describe('injection attempts never reach a database', () => {
  // Nothing listens on port 1: any SQL sent would fail with a connection error, not this one.
  const unreachable: DatabaseConnection = {
    engine: 'postgres',
    host: '127.0.0.1',
    port: 1,
    user: 'postgres',
    database: 'tenant',
  };
  const postgres = new PostgresEngine();
  const sqlite = new SqliteEngine();
  let dir: string;
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-ident-'));
    scratch = await createScratchDatabase('ident');
    const client = new Client({ connectionString: scratch.url });
    await client.connect();
    await client.query('create table incidents (id int primary key); insert into incidents values (1), (2)');
    await client.end();
  });
  afterAll(async () => {
    await scratch?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(ATTACKS.slice(0, 4))('PostgreSQL engine refuses %j before connecting', async (attack) => {
    expect(await asyncKindOf(() => postgres.fingerprints(unreachable, ['incidents', attack]))).toBe(
      'invalid-identifier',
    );
    expect(await asyncKindOf(() => postgres.renameDatabase(unreachable, attack))).toBe('invalid-identifier');
    expect(await asyncKindOf(() => postgres.dropDatabase({ ...unreachable, database: attack }))).toBe(
      'invalid-identifier',
    );
    expect(
      await asyncKindOf(() => postgres.restore(unreachable, path.join(dir, 'x.dump'), { scratchName: attack })),
    ).toBe('invalid-identifier');
    expect(
      await asyncKindOf(() => sqlite.fingerprints({ engine: 'sqlite', file: path.join(dir, 'absent.db') }, [attack])),
    ).toBe('invalid-identifier');
  });

  it('the unreachable server really is unreachable (so the refusals above happened first)', async () => {
    expect(await asyncKindOf(() => postgres.fingerprints(unreachable, ['incidents']))).toBe('transient');
  });

  it('a real database keeps its table after an injection attempt', async () => {
    const db: DatabaseConnection = {
      ...unreachable,
      port: Number(new URL(scratch.url).port || 5432),
      database: scratch.name,
    };
    expect(await asyncKindOf(() => postgres.fingerprints(db, ['incidents; drop table incidents']))).toBe(
      'invalid-identifier',
    );
    expect(await postgres.fingerprints(db, ['incidents'])).toEqual([
      { table: 'incidents', rows: 2, checksum: expect.any(String) },
    ]);
  });
});
