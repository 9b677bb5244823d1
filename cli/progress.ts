/**
 * Progress bars for long operations, drawn from what the server already knows: the heartbeat
 * details of a workflow's pending activities (describe). One bar per running activity: bytes
 * for copies and hashing, tenants for deployments. Off when stdout is not a terminal or with
 * --json, so scripts and logs see only results.
 */
import cliProgress from 'cli-progress';
import type { PendingActivityProgress, StagecoachClient, WorkflowProgress } from '../client';
import { formatBytes } from './format';

export type ProgressUnit = 'bytes' | 'tenants' | 'rows';

export interface ProgressReading {
  /** Which bar: the activity type, plus its step when it reports one. */
  label: string;
  done: number;
  total: number;
  unit: ProgressUnit;
}

/**
 * Heartbeat shapes the activities use: a copy `{ offset, total }`, hashing and other steps
 * `{ step, done, total }`, a deployment `{ tenantsDone, tenantsTotal }`. Anything else has no bar.
 */
export function readingOf(activity: PendingActivityProgress): ProgressReading | undefined {
  const beat = activity.heartbeat as Record<string, unknown> | undefined;
  if (!beat || typeof beat !== 'object') return undefined;
  const number = (key: string) => (typeof beat[key] === 'number' ? (beat[key] as number) : undefined);
  const step = typeof beat.step === 'string' ? ` ${beat.step}` : '';
  const label = `${activity.activityType}${step}`;
  const tenantsTotal = number('tenantsTotal');
  if (tenantsTotal !== undefined)
    return { label, done: number('tenantsDone') ?? 0, total: tenantsTotal, unit: 'tenants' };
  const total = number('total');
  if (total === undefined) return undefined;
  const done = number('offset') ?? number('done') ?? 0;
  return { label, done, total, unit: 'bytes' };
}

export function readingsOf(progress: WorkflowProgress): ProgressReading[] {
  return progress.pendingActivities
    .map(readingOf)
    .filter((reading): reading is ProgressReading => reading !== undefined);
}

export function progressEnabled(json: boolean, stream: { isTTY?: boolean } = process.stdout): boolean {
  return !json && stream.isTTY === true;
}

const formatters: Record<ProgressUnit, (value: number) => string> = {
  bytes: formatBytes,
  tenants: (value) => `${value} tenants`,
  rows: (value) => `${value} rows`,
};

function progressLine(
  label: string,
  bar: string,
  progress: number,
  done: number,
  total: number,
  unit: ProgressUnit,
): string {
  const show = formatters[unit];
  return `${label.padEnd(28)} ${bar} ${String(Math.floor(progress * 100)).padStart(3)}% ${show(done)} / ${show(total)}`;
}

/**
 * One reading as a line of text, laid out like the live bars, for screens that redraw
 * themselves (`release watch` puts these under its timeline).
 */
export function renderReading(reading: ProgressReading, width = 30): string {
  const progress = reading.total > 0 ? Math.min(1, Math.max(0, reading.done / reading.total)) : 0;
  const filled = Math.round(progress * width);
  return progressLine(
    reading.label,
    `${'\u2588'.repeat(filled)}${'\u2591'.repeat(width - filled)}`,
    progress,
    reading.done,
    reading.total,
    reading.unit,
  );
}

/** The bars on screen; `update` adds, moves and finishes them as readings come and go. */
export class ProgressDisplay {
  private readonly multibar?: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();

  constructor(enabled: boolean, stream: NodeJS.WritableStream = process.stdout) {
    if (!enabled) return;
    this.multibar = new cliProgress.MultiBar(
      {
        stream,
        hideCursor: true,
        clearOnComplete: false,
        format: (options, params, payload: { label: string; unit: ProgressUnit }) =>
          progressLine(
            payload.label,
            cliProgress.Format.BarFormat(params.progress, options),
            params.progress,
            params.value,
            params.total,
            payload.unit,
          ),
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update(readings: ProgressReading[]): void {
    if (!this.multibar) return;
    for (const reading of readings) {
      const payload = { label: reading.label, unit: reading.unit };
      const bar = this.bars.get(reading.label);
      if (bar) {
        bar.setTotal(reading.total);
        bar.update(reading.done, payload);
      } else {
        this.bars.set(reading.label, this.multibar.create(reading.total, reading.done, payload));
      }
    }
    const current = new Set(readings.map((r) => r.label));
    for (const [label, bar] of this.bars) {
      // An activity no longer pending has finished: show it full, then stop tracking it.
      if (!current.has(label)) {
        bar.update(bar.getTotal());
        this.bars.delete(label);
      }
    }
    // Draw now: readings arrive once per poll, not at the bars' own frame rate.
    this.multibar.update();
  }

  stop(): void {
    this.multibar?.stop();
  }
}

/**
 * Polls a workflow until `done` says so (by default: until it is no longer running), drawing
 * bars from its pending activities. Returns the last description read.
 */
export async function followWorkflowProgress(
  client: StagecoachClient,
  workflowId: string,
  options: { enabled: boolean; intervalMs?: number; done?: (progress: WorkflowProgress) => boolean },
): Promise<WorkflowProgress> {
  const display = new ProgressDisplay(options.enabled);
  const done = options.done ?? ((progress: WorkflowProgress) => progress.status !== 'RUNNING');
  try {
    for (;;) {
      const progress = await client.describe(workflowId);
      display.update(readingsOf(progress));
      if (done(progress)) return progress;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
    }
  } finally {
    display.stop();
  }
}
