import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestWorkerWithControlDb, uniqueId, type ControlDbTestContext } from '../support/temporal';
import { runCli } from '../support/run-cli';

// docs/approvals-locks-windows.md "Signed decisions" through the real binary: a key made by `approval keygen`,
// trusted by the inventory, signs Alice's decision; `approval verify` re-checks it from the history alone.
let ctx: ControlDbTestContext;
let dir: string;
let inventory: string;
let aliceKey: string;

const INVENTORY = (keyHex: string) => `version: 1
approvals:
  trustedKeys:
    - id: alice-laptop
      publicKey: ${keyHex}
      signsFor: [alice]
tenants:
  acme:
    schema: sample-itsm
    instances:
      production:
        database: { engine: sqlite, file: acme.db }
        backupLocation: backups/acme
        emailDomain: acme.example.com
`;

beforeAll(async () => {
  ctx = await startTestWorkerWithControlDb('sqlite', 'cli-signing');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stagecoach-signing-'));
  aliceKey = path.join(dir, 'alice.pem');
  inventory = path.join(dir, 'stagecoach.yaml');
});

afterAll(async () => {
  await ctx?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(['--address', ctx.address, '--task-queue', ctx.taskQueue, ...args], {
    STAGECOACH_INVENTORY: inventory,
    ...env,
  });

async function request(): Promise<string> {
  const workflowId = uniqueId('approval/signed');
  const run = await cli(
    ['approval', 'request', '--id', workflowId, '--gate', 'go-live', '--approver', 'alice,bob'].concat([
      '--subject',
      'acme 2.0 go-live',
      '--requested-by',
      'rita',
      '--json',
    ]),
  );
  expect(run.stderr).toBe('');
  return workflowId;
}

it('keygen writes a private key only its owner reads, and prints the public key for the inventory', async () => {
  const run = await cli(['approval', 'keygen', '--out', aliceKey, '--id', 'alice-laptop', '--signs-for', 'alice']);
  expect(run.stderr).toBe('');
  expect(run.stdout).toContain('approvals:\n  trustedKeys:\n    - id: alice-laptop');
  expect(fs.statSync(aliceKey).mode & 0o777).toBe(0o600);
  const publicKey = /publicKey: ([0-9a-f]{64})/.exec(run.stdout)![1];
  fs.writeFileSync(inventory, INVENTORY(publicKey));
  const again = await cli(['approval', 'keygen', '--out', aliceKey]);
  expect([again.code, again.stderr]).toEqual([
    2,
    expect.stringContaining('exists; a signing key is never overwritten'),
  ]);
});

it('unsigned is refused (exit 4); signed with the key counts; verify re-checks both from the history', async () => {
  const workflowId = await request();
  const unsigned = await cli(['approval', 'approve', workflowId, '--user', 'alice']);
  expect(unsigned.code).toBe(4);
  expect(unsigned.stderr).toContain("unsigned decision: gate 'go-live' counts only decisions signed by a trusted key");

  const wrongUser = await cli(['approval', 'approve', workflowId, '--user', 'bob', '--signing-key', aliceKey]);
  expect([wrongUser.code, wrongUser.stderr]).toEqual([
    4,
    expect.stringContaining("key 'alice-laptop' may not sign for bob"),
  ]);

  // No --key-id: the CLI finds the key's id in the inventory by its public key.
  const signed = await cli([
    'approval',
    'approve',
    workflowId,
    '--user',
    'alice',
    '--comment',
    'ok',
    '--signing-key',
    aliceKey,
  ]);
  expect(signed.stderr).toBe('');
  expect(signed.code).toBe(0);
  const status = await cli(['approval', 'status', workflowId]);
  expect(status.stdout).toContain('(signed by alice-laptop): ok');

  const verify = await cli(['approval', 'verify', workflowId, '--json']);
  expect(verify.stderr).toBe('');
  expect(verify.code).toBe(0);
  const report = verify.json();
  expect(report.trustedKeys.map((k: { id: string }) => k.id)).toEqual(['alice-laptop']);
  expect(report.decisions.map((d: Record<string, unknown>) => [d.user, d.counted, d.signatureValid])).toEqual([
    ['alice', false, false],
    ['bob', false, false],
    ['alice', true, true],
  ]);
  expect(report.problems).toEqual([]);
});

it('verify exits 4 on a gate whose decisions nobody signed, and names a missing key file (exit 3)', async () => {
  const workflowId = uniqueId('approval/unsigned');
  await cli(
    ['approval', 'request', '--id', workflowId, '--gate', 'go-live', '--approver', 'alice'].concat([
      '--subject',
      'acme 2.0',
      '--requested-by',
      'rita',
    ]),
    { STAGECOACH_INVENTORY: '' },
  );
  expect((await cli(['approval', 'approve', workflowId, '--user', 'alice'], { STAGECOACH_INVENTORY: '' })).code).toBe(
    0,
  );
  const verify = await cli(['approval', 'verify', workflowId]);
  expect(verify.code).toBe(4);
  expect(verify.stdout).toContain('trusted keys none (decisions are not authenticated)');
  expect(verify.stderr).toContain(`no gate of ${workflowId} trusts a key: its decisions are not authenticated`);

  const missing = await cli([
    'approval',
    'approve',
    workflowId,
    '--user',
    'alice',
    '--signing-key',
    path.join(dir, 'nope.pem'),
  ]);
  expect([missing.code, missing.stderr]).toEqual([3, expect.stringContaining('nope.pem cannot be read')]);
});
