import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { renderTimeline, watchRelease, watchVerdict } from '../../cli/render/release-timeline';
import type { ReleaseStatus } from '../../contracts/releases';

// `release watch` renders the release workflow's status query (domain/releases.ts).
const configuring: ReleaseStatus = {
  releaseId: 'release/acme/1.4',
  tenant: 'acme',
  version: '1.4',
  variant: 'standard',
  startedBy: 'rita',
  phase: 'configure',
  waitingFor: 'configuration',
  gates: [],
  stray: [],
  packages: [],
  changeRegister: [],
  backups: [],
  pushes: [],
  problems: [],
  timeline: [
    { phase: 'starting', startedAt: '2026-11-01T08:00:00Z', endedAt: '2026-11-01T08:00:01Z' },
    { phase: 'baseline', startedAt: '2026-11-01T08:00:01Z', endedAt: '2026-11-05T10:30:01Z', note: 'live backup' },
    { phase: 'configure', startedAt: '2026-11-05T10:30:01Z' },
  ],
};

const gate = {
  definition: {
    name: 'uat-push',
    approvers: ['alice', 'bob'],
    requiredApprovals: 2,
    timeoutSeconds: 600,
    onTimeout: 'reject' as const,
  },
  requestedBy: 'rita',
  decisions: [
    {
      gate: 'uat-push',
      user: 'alice',
      decision: 'approve' as const,
      at: '2026-11-26T09:01:00Z',
      counted: true,
      round: 1,
    },
  ],
  phase: 'waiting' as const,
  round: 1,
};

const atGate: ReleaseStatus = {
  ...configuring,
  phase: 'uat-push',
  waitingFor: 'gate:uat-push',
  gate,
  gates: [gate],
  timeline: [
    ...configuring.timeline.slice(0, 2),
    { phase: 'configure', startedAt: '2026-11-05T10:30:01Z', endedAt: '2026-11-26T09:00:00Z' },
    { phase: 'uat-refresh', startedAt: '2026-11-26T09:00:00Z', endedAt: '2026-11-26T09:00:42Z' },
    { phase: 'uat-push', startedAt: '2026-11-26T09:00:42Z' },
  ],
};

function logStream() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { out, text: () => text };
}

describe('release timeline', () => {
  it('shows phases done with durations, the one waiting, those ahead, and whom it waits for', () => {
    expect(renderTimeline(atGate)).toBe(
      [
        'release/acme/1.4  acme 1.4 (standard)  in uat-push',
        '  ✓ starting          1s',
        '  ✓ baseline          4d 2h  live backup',
        '  ✓ configure         20d 22h',
        '  ✓ uat-refresh       42s',
        '  ⏸ uat-push',
        '  · acceptance',
        '  · production-push',
        '  · afterwards',
        '  waiting for gate:uat-push: 1 approval(s) from bob; decisions are not authenticated (the inventory names no trusted keys)',
      ].join('\n'),
    );
    const live = renderTimeline({ ...configuring, waitingFor: undefined }, new Date('2026-11-05T10:35:11Z'));
    expect(live.split('\n')[3]).toBe('  ▶ configure         5m 10s');
  });

  it('tells watch to stop when the release ends or waits for a person, with the exit code', () => {
    expect(watchVerdict({ ...configuring, waitingFor: undefined })).toEqual({ stop: false, exitCode: 0 });
    expect(watchVerdict({ ...configuring, waitingFor: 'maintenance-window' })).toEqual({ stop: false, exitCode: 0 });
    expect(watchVerdict(configuring)).toEqual({ stop: true, exitCode: 0 });
    expect(watchVerdict(atGate)).toEqual({ stop: true, exitCode: 0 });
    expect(watchVerdict({ ...atGate, waitingFor: 'resolution:uat-push' })).toEqual({ stop: true, exitCode: 0 });
    expect(watchVerdict({ ...atGate, waitingFor: undefined, outcome: 'completed' })).toEqual({
      stop: true,
      exitCode: 0,
    });
    expect(watchVerdict({ ...atGate, outcome: 'failed' })).toEqual({ stop: true, exitCode: 5 });
    expect(watchVerdict({ ...atGate, outcome: 'cancelled' })).toEqual({ stop: true, exitCode: 4 });
  });

  it('watch prints the timeline when it changes and returns at the gate', async () => {
    const running = { ...configuring, phase: 'uat-refresh' as const, waitingFor: undefined };
    const statuses = [running, running, atGate];
    const log = logStream();
    const result = await watchRelease(async () => statuses.shift()!, { out: log.out, intervalMs: 1 });
    expect(result.exitCode).toBe(0);
    expect(result.status.waitingFor).toBe('gate:uat-push');
    expect(log.text().match(/^release\/acme\/1.4 /gm)).toHaveLength(2);
    expect(log.text()).toContain('waiting for gate:uat-push');
  });

  it('watch on a terminal draws a bar per running copy under the timeline; a log gets none', async () => {
    const running = { ...configuring, phase: 'uat-refresh' as const, waitingFor: undefined };
    const copying = [{ label: 'copyBackupFile', done: 1_572_864, total: 3_145_728, unit: 'bytes' as const }];
    const screen = logStream();
    Object.assign(screen.out, { isTTY: true });
    const statuses = [running, atGate];
    await watchRelease(async () => statuses.shift()!, {
      out: screen.out,
      intervalMs: 1,
      progress: async () => copying,
    });
    expect(screen.text()).toMatch(/\n {2}copyBackupFile +█{15}░{15}  50% 1\.5 MiB \/ 3\.0 MiB\n/);

    const log = logStream();
    let asked = 0;
    const again = [running, atGate];
    await watchRelease(async () => again.shift()!, {
      out: log.out,
      intervalMs: 1,
      progress: async () => (asked++, copying),
    });
    expect(asked).toBe(0);
    expect(log.text()).not.toContain('copyBackupFile');
  });
});
