import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../support/run-cli';

// `stagecoach inventory validate` through the real binary; the inventory is found as the worker finds it.
let dir: string;
const VALID = `version: 1
roles:
  approvers: [alice]
tenants:
  acme:
    schema: sample-itsm
    instances:
      production:
        database: { engine: sqlite, file: acme.db }
        backupLocation: backups/acme
        emailDomain: acme.example.com
      staging:
        database: { engine: sqlite, file: acme-staging.db }
        backupLocation: backups/acme-staging
        emailDomain: acme-stg.example.com
`;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-inventory-'));
  fs.writeFileSync(path.join(dir, 'stagecoach.yaml'), VALID);
  fs.writeFileSync(path.join(dir, 'broken.yaml'), VALID.replace('schema: sample-itsm', 'schema: nope'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('finds ./stagecoach.yaml, says what it holds, and names a mistake by key path, line and column (exit 4)', async () => {
  const found = await runCli(['inventory', 'validate', '--json'], { STAGECOACH_INVENTORY: '' }, dir);
  expect(found.stderr).toBe('');
  expect(found.json()).toEqual({
    file: path.join(fs.realpathSync(dir), 'stagecoach.yaml'),
    tenants: 1,
    instances: 2,
    roles: ['approvers'],
  });
  const broken = await runCli(['inventory', 'validate', path.join(dir, 'broken.yaml')]);
  expect(broken.code).toBe(4);
  expect(broken.stderr).toContain("tenants.acme.schema: unknown schema 'nope' (known: sample-itsm) (line 6, column 5)");
  const missing = await runCli(['inventory', 'validate', path.join(dir, 'none.yaml')]);
  expect(missing.code).toBe(3);
});
