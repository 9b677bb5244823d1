import { describe, expect, it } from 'vitest';
import {
  countsOf,
  KEPT_REASONS,
  newProgress,
  REASON_CHARS,
  recordOutcome,
  summaryMessage,
  tenantStatus,
} from '../../../domain/deployments/deployment-progress';

describe('deployment status model', () => {
  it('derives every tenant status from the position, the running window and the problems', () => {
    const progress = newProgress(['a', 'b', 'c', 'd'], {
      e: { status: 'skipped', reason: 'tenant e has no production instance' },
    });
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
    expect(countsOf(progress, running.size)).toEqual({
      total: 5,
      processed: 3,
      running: 1,
      pending: 1,
      succeeded: 1,
      failed: 1,
      skipped: 1,
    });
  });

  it('the summary mail says processed, succeeded and failed, and lists the problems', () => {
    const progress = newProgress(['a', 'b'], {});
    progress.next = 2;
    recordOutcome(progress, 'a', { status: 'succeeded' });
    recordOutcome(progress, 'b', { status: 'failed', reason: 'package p@1 has 1 error(s)' });
    const mail = summaryMessage(
      { deploymentId: 'deployment/x', packageLabel: 'p@1', landscape: 'production' },
      progress,
    );
    expect(mail.subject).toBe('Deployment of p@1: 2 processed, 1 succeeded, 1 failed');
    expect(mail.text).toContain('Tenants processed: 2\nSucceeded: 1\nFailed: 1\nSkipped: 0');
    expect(mail.text).toContain('- b: failed: package p@1 has 1 error(s)');
  });

  it('what continue-as-new carries stays far below the 2 MB payload limit when all 10,000 tenants are skipped with long reasons', () => {
    // A deployment run again: every tenant has the package and is skipped, naming when and by whom.
    const tenants = Array.from(
      { length: 10_000 },
      (_, i) => `tenant-with-a-rather-long-name-${String(i).padStart(5, '0')}`,
    );
    const progress = newProgress(tenants, {});
    const reason = (tenant: string) =>
      `already has fleet-forms@1.0.0 (applied 2026-11-23T16:30:00.000Z by deployment/3f2a9c1e-0b7d-4e57-9a51-6f0d2c4b8e11/${tenant}) ${'x'.repeat(250)}`;
    for (const tenant of tenants) recordOutcome(progress, tenant, { status: 'skipped', reason: reason(tenant) });
    progress.next = tenants.length;

    const carried = JSON.stringify({ packageId: 'fleet-forms', version: '1.0.0', progress });
    expect(carried.length).toBeLessThan(1_000_000);
    expect(countsOf(progress, 0)).toMatchObject({ total: 10_000, processed: 10_000, skipped: 10_000, pending: 0 });
    const first = tenantStatus(progress, new Set(), tenants[0])!;
    expect(first.status).toBe('skipped');
    expect(first.reason).toHaveLength(REASON_CHARS);
    expect(first.reason).toBe(`${reason(tenants[0]).slice(0, REASON_CHARS - 1)}…`);
    expect(tenantStatus(progress, new Set(), tenants[KEPT_REASONS - 1])!.reason).toMatch(
      /^already has fleet-forms@1\.0\.0/,
    );
    expect(tenantStatus(progress, new Set(), tenants[KEPT_REASONS])).toEqual({
      tenant: tenants[KEPT_REASONS],
      status: 'skipped',
      reason: `reason kept in the control database only (table deployment_tenants): more than ${KEPT_REASONS} tenants failed or were skipped`,
    });
  });
});
