import { describe, expect, it } from 'vitest';
import { countsOf, newProgress, recordOutcome, summaryMessage, tenantStatus } from '../../workflows/deployments/deployment-state';

describe('deployment status model', () => {
  it('derives every tenant status from the position, the running window and the problems', () => {
    const progress = newProgress(['a', 'b', 'c', 'd'], { e: { status: 'skipped', reason: 'tenant e has no production instance' } });
    progress.next = 3;
    const running = new Set(['c']);
    recordOutcome(progress, 'a', { status: 'succeeded' });
    recordOutcome(progress, 'b', { status: 'failed', reason: 'conflict' });
    expect(['a', 'b', 'c', 'd', 'e', 'zz'].map((t) => tenantStatus(progress, running, t))).toEqual([
      { tenant: 'a', status: 'succeeded' },
      { tenant: 'b', status: 'failed', reason: 'conflict' },
      { tenant: 'c', status: 'running' },
      { tenant: 'd', status: 'pending' },
      { tenant: 'e', status: 'skipped', reason: 'tenant e has no production instance' },
      undefined,
    ]);
    expect(countsOf(progress, running.size)).toEqual({ total: 5, processed: 3, running: 1, pending: 1, succeeded: 1, failed: 1, skipped: 1 });
  });

  it('the summary mail says processed, succeeded and failed, and lists the problems', () => {
    const progress = newProgress(['a', 'b'], {});
    progress.next = 2;
    recordOutcome(progress, 'a', { status: 'succeeded' });
    recordOutcome(progress, 'b', { status: 'failed', reason: 'package p@1 has 1 error(s)' });
    const mail = summaryMessage({ deploymentId: 'deployment/x', packageLabel: 'p@1', landscape: 'production' }, progress);
    expect(mail.subject).toBe('Deployment of p@1: 2 processed, 1 succeeded, 1 failed');
    expect(mail.text).toContain('Tenants processed: 2\nSucceeded: 1\nFailed: 1\nSkipped: 0');
    expect(mail.text).toContain('- b: failed: package p@1 has 1 error(s)');
  });
});
