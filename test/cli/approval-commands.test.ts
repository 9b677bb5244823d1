import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditStore } from '../../store/audit-store';
import { startTestWorkerWithControlDb, uniqueId, type ControlDbTestContext } from '../support/temporal';
import { runCli } from '../support/run-cli';

// The real binary against the real server, with a worker on a task queue of this file's own.
let ctx: ControlDbTestContext;

beforeAll(async () => {
  ctx = await startTestWorkerWithControlDb('sqlite', 'cli');
});

afterAll(async () => {
  await ctx?.stop();
});

const cli = (...args: string[]) => runCli(['--address', ctx.address, '--task-queue', ctx.taskQueue, ...args]);

async function request(extra: string[] = []): Promise<string> {
  const workflowId = uniqueId('approval/cli');
  const run = await cli(
    'approval',
    'request',
    '--json',
    '--id',
    workflowId,
    '--gate',
    'uat-push',
    '--approver',
    'alice,bob',
    '--subject',
    'acme 1.4 to UAT',
    '--requested-by',
    'rita',
    ...extra,
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.json()).toMatchObject({ workflowId, runId: expect.any(String) });
  return workflowId;
}

describe('stagecoach approval', () => {
  it('requests, approves and waits: exit 0, JSON answers, decision in the audit table', async () => {
    const workflowId = await request(['--tenant', 'acme', '--phase', 'push-to-uat']);

    const status = await cli('approval', 'status', workflowId, '--json');
    expect(status.code).toBe(0);
    expect(status.json()).toMatchObject({ workflowId, status: 'RUNNING', approval: { waitingFor: 'gate:uat-push' } });

    // --gate left out: the CLI asks the workflow which gate it waits for.
    const approve = await cli('approval', 'approve', workflowId, '--user', 'alice', '--comment', 'fine', '--json');
    expect(approve.code).toBe(0);
    expect(approve.json()).toEqual({
      workflowId,
      decision: 'approve',
      counted: true,
      gate: 'uat-push',
      approvalsStillNeeded: 0,
    });

    const wait = await cli('approval', 'wait', workflowId, '--json');
    expect(wait.code).toBe(0);
    expect(wait.json()).toMatchObject({
      workflowId,
      outcome: 'approved',
      decisions: [{ user: 'alice', comment: 'fine' }],
    });
    const events = await new AuditStore(ctx.controlDb).listForWorkflow(workflowId);
    expect(events.map((event) => event.kind)).toContain('decision-approve');
  });

  it('prints human text by default', async () => {
    const workflowId = await request(['--required', '2']);
    const approve = await cli('approval', 'approve', workflowId, '--user', 'bob');
    expect(approve.code).toBe(0);
    expect(approve.stdout).toBe('bob approved gate uat-push; approvals still needed: 1\n');
    const status = await cli('approval', 'status', workflowId);
    expect(status.stdout).toContain(`${workflowId}  RUNNING`);
    expect(status.stdout).toMatch(/waiting for gate:uat-push \(not yet decided: alice\)/);
    expect(status.stdout).toMatch(/✓ .* bob approve/);
  });

  it('lists approvals by search attribute', async () => {
    const tenant = `t${Date.now()}`;
    const workflowId = await request(['--tenant', tenant]);
    const list = await cli('approval', 'list', '--tenant', tenant, '--open', '--json');
    expect(list.code).toBe(0);
    expect(list.json()).toEqual([
      expect.objectContaining({ workflowId, status: 'RUNNING', attributes: { tenant, waitingFor: 'gate:uat-push' } }),
    ]);
  });
});

describe('stagecoach approval refusals', () => {
  it('exits 4 with the reason when a decision does not count', async () => {
    const workflowId = await request();
    const self = await cli('approval', 'approve', workflowId, '--user', 'rita', '--gate', 'uat-push', '--json');
    expect(self.code).toBe(4);
    expect(self.stderr).toMatch(
      /^stagecoach: Decision refused on .*: rita started this release and cannot approve or reject it\n$/,
    );
    expect(self.json()).toMatchObject({ error: { code: 'refused', exitCode: 4 } });
  });

  it('after two rejections needs the release manager: resolve asks again, cancel ends it, wait exits 4', async () => {
    const workflowId = await request();
    expect((await cli('approval', 'reject', workflowId, '--user', 'bob', '--comment', 'not yet')).code).toBe(0);
    expect((await cli('approval', 'reject', workflowId, '--user', 'alice')).code).toBe(0);
    const status = await cli('approval', 'status', workflowId, '--json');
    expect(status.json()).toMatchObject({
      approval: { waitingFor: 'resolution:uat-push', gate: { phase: 'needs-resolution' } },
    });

    const resolve = await cli(
      'approval',
      'resolve',
      workflowId,
      '--user',
      'rita',
      '--comment',
      'data refreshed',
      '--json',
    );
    expect(resolve.code).toBe(0);
    expect(resolve.json()).toMatchObject({ kind: 'resolve', user: 'rita', counted: true });
    const asked = await cli('approval', 'status', workflowId, '--json');
    expect(asked.json()).toMatchObject({ approval: { waitingFor: 'gate:uat-push', gate: { phase: 'waiting' } } });

    const notManager = await cli('approval', 'cancel', workflowId, '--user', 'bob', '--json');
    expect(notManager.code).toBe(4);
    expect(notManager.stderr).toMatch(/bob is not a release manager/);

    const cancel = await cli('approval', 'cancel', workflowId, '--user', 'rita', '--comment', 'dropped', '--json');
    expect(cancel.code).toBe(0);
    expect(cancel.json()).toMatchObject({ workflowId, kind: 'cancel', user: 'rita', counted: true });
    const wait = await cli('approval', 'wait', workflowId, '--json');
    expect(wait.code).toBe(4);
    expect(wait.json()).toMatchObject({ outcome: 'cancelled' });
  });
});

describe('stagecoach approval exit codes', () => {
  it('exits 5 when the workflow failed', async () => {
    const workflowId = await request(['--required', '3']);
    const wait = await cli('approval', 'wait', workflowId);
    expect(wait.code).toBe(5);
    expect(wait.stderr).toMatch(/Workflow failed: .*requiredApprovals \(3\) exceeds the 2 approvers/);
  });

  it('exits 3 for a workflow that does not exist', async () => {
    const run = await cli('approval', 'status', 'approval/nobody/never', '--json');
    expect(run.code).toBe(3);
    expect(run.stderr).toBe("stagecoach: No workflow 'approval/nobody/never' was found\n");
    expect(run.json()).toEqual({
      error: { code: 'notFound', exitCode: 3, message: "No workflow 'approval/nobody/never' was found" },
    });
  });

  it('exits 2 with one line for usage errors, and 0 with examples for --help', async () => {
    const missing = await cli('approval', 'request', '--gate', 'uat-push');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("stagecoach: required option '--approver <users>' not specified (see --help)\n");
    const unknown = await cli('approval', 'frobnicate');
    expect(unknown.code).toBe(2);
    const noUser = await cli('approval', 'approve', 'approval/x', '--gate', 'uat-push');
    expect(noUser.code).toBe(2);
    expect(noUser.stderr).toBe('stagecoach: approve needs --user (or STAGECOACH_USER)\n');
    const help = await cli('approval', 'approve', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:\n  $ stagecoach approval approve approval/acme/1.4 --user alice');
  });

  it('exits 1 naming the task queue when no worker polls it', async () => {
    const taskQueue = `nobody-${Date.now()}`;
    const workflowId = uniqueId('approval/no-worker');
    const started = await runCli([
      '--address',
      ctx.address,
      '--task-queue',
      taskQueue,
      'approval',
      'request',
      '--id',
      workflowId,
      '--gate',
      'uat-push',
      '--approver',
      'alice',
      '--subject',
      's',
      '--requested-by',
      'rita',
    ]);
    expect(started.code).toBe(0);
    const status = await cli('approval', 'status', workflowId);
    expect(status.code).toBe(1);
    expect(status.stderr).toBe(
      `stagecoach: No worker polls task queue '${taskQueue}', so ${workflowId} cannot answer; start one with 'stagecoach worker --task-queue ${taskQueue}'\n`,
    );
    await ctx.client.temporal.workflow.getHandle(workflowId).terminate('test done');
  });

  it('exits 1 with a hint when no server answers', async () => {
    const run = await runCli(['--address', '127.0.0.1:1', 'approval', 'status', 'approval/x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "stagecoach: No Temporal server answered at 127.0.0.1:1 within 5 s. Start one with 'stagecoach server' or pass --address host:port\n",
    );
  });
});
