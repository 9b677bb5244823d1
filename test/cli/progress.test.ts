import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { PendingActivityProgress } from '../../client';
import { ProgressDisplay, progressEnabled, readingOf } from '../../cli/progress';

const pending = (activityType: string, heartbeat: unknown): PendingActivityProgress => ({
  activityType,
  attempt: 1,
  heartbeat,
});

/** A stream that says it is a terminal, capturing what the bars draw. */
function terminal(): { stream: PassThrough & { isTTY: boolean; columns: number }; text: () => string } {
  const stream = Object.assign(new PassThrough(), {
    isTTY: true,
    columns: 120,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream: stream as never, text: () => text };
}

describe('progress bars', () => {
  it('read bytes from a copy heartbeat, steps from hashing, tenants from a deployment', () => {
    expect(readingOf(pending('copyBackup', { partial: 'x.partial', offset: 1_048_576, total: 4_194_304 }))).toEqual({
      label: 'copyBackup',
      done: 1_048_576,
      total: 4_194_304,
      unit: 'bytes',
    });
    expect(readingOf(pending('takeBackup', { step: 'sha256', done: 10, total: 20 }))).toEqual({
      label: 'takeBackup sha256',
      done: 10,
      total: 20,
      unit: 'bytes',
    });
    expect(readingOf(pending('deployToTenants', { tenantsDone: 7, tenantsTotal: 40 }))).toMatchObject({
      done: 7,
      total: 40,
      unit: 'tenants',
    });
    expect(readingOf(pending('recordAuditEvent', undefined))).toBeUndefined();
    expect(readingOf(pending('compact', { step: 'compact' }))).toBeUndefined();
  });

  it('are drawn only on a terminal and never with --json', () => {
    expect(progressEnabled(false, { isTTY: true })).toBe(true);
    expect(progressEnabled(true, { isTTY: true })).toBe(false);
    expect(progressEnabled(false, { isTTY: false })).toBe(false);
    expect(progressEnabled(false, {})).toBe(false);
  });

  it('draw human sizes and percentages, and finish a bar when its activity is gone', () => {
    const screen = terminal();
    const display = new ProgressDisplay(true, screen.stream);
    display.update([{ label: 'copyBackup', done: 1_572_864, total: 3_145_728, unit: 'bytes' }]);
    display.update([]);
    display.stop();
    expect(screen.text()).toMatch(/copyBackup\s+\S+\s+50% 1\.5 MiB \/ 3\.0 MiB/);
    expect(screen.text()).toMatch(/copyBackup\s+\S+\s+100% 3\.0 MiB \/ 3\.0 MiB/);
  });

  it('draw nothing when disabled', () => {
    const screen = terminal();
    const display = new ProgressDisplay(false, screen.stream);
    display.update([{ label: 'copyBackup', done: 1, total: 2, unit: 'bytes' }]);
    display.stop();
    expect(screen.text()).toBe('');
  });
});
