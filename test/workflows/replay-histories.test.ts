import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';

// docs/principles.md "Non-negotiables": releases run for weeks, so a change to workflow code must replay the histories of
// workflows already running. Every file in test/histories/ (recorded from completed runs by
// dev/record-history.ts, which the release tests and record-histories.test.ts call with
// STAGECOACH_RECORD_HISTORIES=1) replays against today's bundle;
// a nondeterministic change fails here, and needs `patched()`.
const dir = path.resolve(__dirname, '..', 'histories');
const files = fs.existsSync(dir)
  ? fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : [];

describe('recorded histories replay against the current workflow code', () => {
  it('has the histories the release lifecycle, deployments, locks and promotions need', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'approval.json',
        'release-standard.json',
        'release-without-uat.json',
        'release-rollback.json',
        'release-acceptance-failed.json',
        'mass-deployment.json',
        'deploy-to-tenant.json',
        'instance-lock.json',
        'mass-deployment-batched.json',
        'deploy-to-tenants.json',
        'instance-lock-local-audit.json',
        'bundle-promotion.json',
        'promotion-backout.json',
      ]),
    );
  });

  it.each(files)('%s', { timeout: 120_000 }, async (file) => {
    const { workflowId, ...recorded } = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
      workflowId: string;
    };
    const history = temporal.api.history.v1.History.fromObject(recorded);
    const code = fs.readFileSync(inject('workflowBundlePath'), 'utf8');
    await Worker.runReplayHistory({ workflowBundle: { code } }, history, workflowId);
  });
});
