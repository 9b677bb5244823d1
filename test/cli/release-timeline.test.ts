import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ReleaseStatus } from '../../client/release-status';
import { renderTimeline, watchRelease, watchVerdict } from '../../cli/render/release-timeline';

// `release watch` renders the status the release workflow will answer (client/release-status.ts).
const base: ReleaseStatus = {
  releaseId: 'release/acme/1.4',
  tenant: 'acme',
  version: '1.4',
  phase: 'configure',
  phases: [
    { phase: 'baseline', state: 'done', startedAt: '2026-11-01T08:00:00Z', endedAt: '2026-11-05T10:30:00Z', detail: 'production copied to staging (live backup, 1.5 GiB)' },
    { phase: 'configure', state: 'running', startedAt: '2026-11-05T10:30:00Z' },
    { phase: 'uat-refresh', state: 'pending' },
  ],
};

const atGate: ReleaseStatus = {
  ...base,
  phase: 'push-to-uat',
  phases: [
    base.phases[0],
    { phase: 'configure', state: 'done', startedAt: '2026-11-05T10:30:00Z', endedAt: '2026-11-26T09:00:00Z' },
    { phase: 'uat-refresh', state: 'done', startedAt: '2026-11-26T09:00:00Z', endedAt: '2026-11-26T09:00:42Z' },
    { phase: 'push-to-uat', state: 'waiting', startedAt: '2026-11-26T09:00:42Z', attempts: 2 },
  ],
  waitingFor: { kind: 'gate', gate: 'uat-push', approvers: ['alice', 'bob'], approvalsStillNeeded: 2, since: '2026-11-26T09:00:42Z', person: true },
};

function logStream() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { out, text: () => text };
}

describe('release timeline', () => {
  it('shows each phase with its mark, duration and detail, and whom the release waits for', () => {
    expect(renderTimeline(atGate)).toBe(
      [
        'release/acme/1.4  acme 1.4  in push-to-uat',
        '  ✓ baseline          4d 2h  production copied to staging (live backup, 1.5 GiB)',
        '  ✓ configure         20d 22h',
        '  ✓ uat-refresh       42s',
        '  ⏸ push-to-uat       (attempt 2)',
        '  waiting for gate uat-push: 2 approval(s) from alice, bob',
      ].join('\n'),
    );
    expect(renderTimeline(base, new Date('2026-11-05T10:35:10Z')).split('\n')[2]).toBe('  ▶ configure         5m 10s');
  });

  it('tells watch to stop when the release ends or waits for a person, with the exit code', () => {
    expect(watchVerdict(base)).toEqual({ stop: false, exitCode: 0 });
    expect(watchVerdict(atGate)).toEqual({ stop: true, exitCode: 0 });
    expect(watchVerdict({ ...base, waitingFor: { kind: 'maintenance-window', opensAt: '2026-11-29T22:00:00Z', since: '', person: false } })).toEqual({ stop: false, exitCode: 0 });
    expect(watchVerdict({ ...base, outcome: 'completed' })).toEqual({ stop: true, exitCode: 0 });
    expect(watchVerdict({ ...base, outcome: 'failed', reason: 'verify failed' })).toEqual({ stop: true, exitCode: 5 });
    expect(watchVerdict({ ...base, outcome: 'cancelled' })).toEqual({ stop: true, exitCode: 4 });
  });

  it('watch prints the timeline when it changes and returns at the gate', async () => {
    const statuses = [base, base, atGate];
    const log = logStream();
    const result = await watchRelease(async () => statuses.shift()!, { out: log.out, intervalMs: 1 });
    expect(result.exitCode).toBe(0);
    expect(result.status.waitingFor?.kind).toBe('gate');
    expect(log.text().match(/release\/acme\/1.4 {2}acme 1.4/g)).toHaveLength(2);
    expect(log.text()).toContain('waiting for gate uat-push');
  });
});
