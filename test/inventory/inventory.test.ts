import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InventoryError } from '../../inventory/inventory';
import { loadInventory, parseInventory } from '../../inventory/load-inventory';
import { resolveConnection } from '../../inventory/resolve-connection';

const root = path.resolve(__dirname, '..', '..');

function problemsOf(text: string): string[] {
  try {
    parseInventory(text, '/etc/stagecoach/stagecoach.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryError);
    return (error as InventoryError).problems;
  }
  throw new Error('expected the inventory to be refused');
}

const valid = `
version: 1
tenants:
  acme:
    schema: sample-itsm
    instances:
      production:
        database: { engine: postgres, host: db.internal, user: stagecoach, password: "\${ACME_PG_PASSWORD}", database: acme_prod }
        backupLocation: /var/backups/acme
        emailDomain: acme.example.com
`;

describe('inventory', () => {
  it('loads the sample inventory: three SQLite instances under .stagecoach/, the sample schema descriptor', () => {
    const inventory = loadInventory(path.join(root, 'examples', 'stagecoach.yaml'));
    const demo = inventory.tenants.demo;
    expect(Object.keys(demo.instances)).toEqual(['production', 'staging', 'uat']);
    expect(demo.schema.tables.incidents).toBe('transactional');
    expect(demo.schema.tables.metadata_items).toBe('metadata');
    expect(demo.shrinkCapBytes).toBe(5 * 1024 ** 3);
    expect(demo.instances.staging!.database).toEqual({
      engine: 'sqlite',
      file: path.join(root, '.stagecoach', 'tenants', 'demo-staging.db'),
    });
    expect(demo.instances.uat!.metadataLocked).toBe(false);
  });

  it('keeps secrets as references until the worker resolves them from its environment', () => {
    const inventory = parseInventory(valid, '/etc/stagecoach/stagecoach.yaml');
    expect(JSON.stringify(inventory)).not.toContain('s3cret');
    expect(inventory.tenants.acme.instances.production!.database).toMatchObject({ password: '${ACME_PG_PASSWORD}' });
    const ref = { tenant: 'acme', landscape: 'production' as const };
    expect(resolveConnection(inventory, ref, { ACME_PG_PASSWORD: 's3cret' })).toMatchObject({
      engine: 'postgres',
      port: 5432,
      password: 's3cret',
      database: 'acme_prod',
    });
    expect(() => resolveConnection(inventory, ref, {})).toThrow(
      'tenants.acme.instances.production.database.password: environment variable ACME_PG_PASSWORD is not set in the worker',
    );
  });
});

describe('inventory mistakes', () => {
  it('names the key path and the problem of every mistake', () => {
    const problems = problemsOf(`
version: 1
tenants:
  acme:
    schema: sample-itsm
    shrinkCap: lots
    instances:
      production:
        database: { engine: postgres, host: db, user: u, database: "acme; drop table x", port: "5432" }
        backupLocation: /b
        emailDomain: acme.example.com
        metadataLockd: true
      moon:
        database: { engine: sqlite, file: a.db }
        backupLocation: /b
        emailDomain: not a domain
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        // Each with the line and column of its key, so an editor jumps there.
        expect.stringMatching(/^tenants\.acme\.shrinkCap: .* \(line 6, column 5\)$/),
        expect.stringMatching(
          /^tenants\.acme\.instances\.production\.database\.database: must be letters, digits and underscores.* \(line 9, column 58\)$/,
        ),
        expect.stringMatching(
          /^tenants\.acme\.instances\.production\.database\.port: .*expected number.* \(line 9, column 90\)$/,
        ),
        'tenants.acme.instances.production.metadataLockd: unknown key (line 12, column 9)',
        'tenants.acme.instances.moon: unknown key (line 13, column 7)',
      ]),
    );
  });

  it('refuses unknown schemas, a missing version, an unknown engine and two instances on one database', () => {
    expect(problemsOf(valid.replace('version: 1', 'version: 2'))).toEqual([expect.stringMatching(/^version: /)]);
    expect(problemsOf(valid.replace('schema: sample-itsm', 'schema: nope'))).toEqual([
      "tenants.acme.schema: unknown schema 'nope' (known: sample-itsm) (line 5, column 5)",
    ]);
    expect(problemsOf(valid.replace('engine: postgres', 'engine: oracle'))[0]).toMatch(
      /^tenants\.acme\.instances\.production\.database\.engine: /,
    );
    const twice = `${valid}      staging:
        database: { engine: postgres, host: db.internal, user: other, database: ACME_PROD }
        backupLocation: /var/backups/acme-stg
        emailDomain: acme-stg.example.com
`;
    expect(problemsOf(twice)).toEqual([
      'tenants.acme.instances.staging.database: same database as tenants.acme.instances.production.database (line 12, column 9)',
    ]);
  });

  it('reports YAML syntax errors and unreadable files with the file name', () => {
    expect(problemsOf('version: 1\ntenants: [unclosed')[0]).toMatch(/^YAML: /);
    expect(() => loadInventory('/nonexistent/stagecoach.yaml')).toThrow(
      'cannot read inventory /nonexistent/stagecoach.yaml: ENOENT',
    );
  });
});
