import type { ReleasePhase, ReleaseVariant } from '../../domain/releases';
import { approvalsStillNeeded, authenticationNote, pendingApprovers } from '../../domain/gates';
import { EXIT, type ExitCode } from '../exit-codes';
import { formatDuration } from '../format';
import { renderReading, type ProgressReading } from '../progress';
import type { PhaseRecord, ReleaseStatus } from '../../contracts/releases';
/** Steps (docs/releases.md) each variant goes through, in order; the timeline shows those still ahead. */
const PLANNED: Record<ReleaseVariant, ReleasePhase[]> = {
  standard: ['baseline', 'configure', 'uat-refresh', 'uat-push', 'acceptance', 'production-push', 'afterwards'],
  withoutUat: ['baseline', 'configure', 'production-push', 'afterwards'],
  initialProvisioning: ['provision', 'configure', 'production-push', 'afterwards'],
};

/** What a release waits for that only a person can give: `release watch` stops there. */
const PERSON_WAITS = [/^gate:/, /^resolution:/, /^configuration$/, /^corrected-package$/];

/**
 * The phase timeline of `release status|watch`: one line per phase entered (a phase entered
 * again, e.g. uat-push after a failed production push, appears again), then the phases still
 * ahead, then what the release waits for. With `now`, the running phase shows how long it
 * has run (live on a terminal); without, the text changes only when the release does (logs).
 */
export function renderTimeline(status: ReleaseStatus, now?: Date): string {
  const ended = !!status.outcome;
  const lines = [
    `${status.releaseId}  ${status.tenant} ${status.version} (${status.variant})  ${status.outcome ?? `in ${status.phase}`}`,
  ];
  status.timeline.forEach((record, index) => {
    const running = !record.endedAt && index === status.timeline.length - 1 && !ended;
    lines.push(
      renderPhase(
        record,
        running ? (status.waitingFor ? '⏸' : '▶') : record.phase === 'failed' ? '✗' : '✓',
        running ? now : undefined,
      ),
    );
  });
  if (!ended) {
    const entered = new Set(status.timeline.map((r) => r.phase));
    const ahead = PLANNED[status.variant]
      .slice(PLANNED[status.variant].indexOf(status.phase) + 1)
      .filter((p) => !entered.has(p));
    for (const phase of ahead) lines.push(`  · ${phase}`);
  }
  if (status.waitingFor) lines.push(`  waiting for ${describeWaiting(status)}`);
  const lastPush = status.pushes[status.pushes.length - 1];
  if (lastPush)
    lines.push(
      `  last push: ${lastPush.target} attempt ${lastPush.attempt} ${lastPush.outcome}${lastPush.error ? ` (${lastPush.error})` : ''}`,
    );
  if (status.problems.length) lines.push(`  problem: ${status.problems[status.problems.length - 1]}`);
  return lines.join('\n');
}

function renderPhase(record: PhaseRecord, mark: string, now: Date | undefined): string {
  const end = record.endedAt ? new Date(record.endedAt) : now;
  const took = end ? `  ${formatDuration(end.getTime() - new Date(record.startedAt).getTime())}` : '';
  return `  ${mark} ${record.phase.padEnd(16)}${took}${record.note ? `  ${record.note}` : ''}`.trimEnd();
}

function describeWaiting(status: ReleaseStatus): string {
  const what = status.waitingFor!;
  const gate = status.gate;
  if (what.startsWith('gate:') && gate) {
    const pending = pendingApprovers(gate);
    const from = pending.length ? ` from ${pending.join(', ')}` : '';
    return `${what}: ${approvalsStillNeeded(gate)} approval(s)${from}; ${authenticationNote(gate.definition)}`;
  }
  if (what.startsWith('resolution:')) return `${what}: a release manager to resolve or cancel the twice-rejected gate`;
  if (what === 'configuration') return 'configuration: send configurationReady naming the package(s) to promote';
  if (what === 'corrected-package') return 'corrected-package: the push failed; send correctedPackage';
  return what;
}

/**
 * When `release watch` stops and with which exit code: the release ended (0 completed,
 * 5 failed, 4 cancelled) or waits for a person (0: someone has to act, and watch says who).
 */
export function watchVerdict(status: ReleaseStatus): { stop: boolean; exitCode: ExitCode } {
  if (status.outcome === 'completed') return { stop: true, exitCode: EXIT.ok };
  if (status.outcome === 'failed') return { stop: true, exitCode: EXIT.failed };
  if (status.outcome === 'cancelled') return { stop: true, exitCode: EXIT.refused };
  const waitsForPerson = !!status.waitingFor && PERSON_WAITS.some((pattern) => pattern.test(status.waitingFor!));
  return { stop: waitsForPerson, exitCode: EXIT.ok };
}

/**
 * The loop of `release watch`: redraws the timeline in place on a terminal (or prints it when
 * it changed, for logs) until `watchVerdict` says stop. `read` is the client's status call;
 * `progress`, on a terminal only, adds a bar under the timeline for each running copy or
 * hashing step (a log would get a new timeline per heartbeat).
 */
export async function watchRelease(
  read: () => Promise<ReleaseStatus>,
  options: {
    out: NodeJS.WritableStream & { isTTY?: boolean };
    intervalMs?: number;
    progress?: () => Promise<ProgressReading[]>;
  },
): Promise<{ status: ReleaseStatus; exitCode: ExitCode }> {
  let shown = '';
  for (;;) {
    const status = await read();
    const verdict = watchVerdict(status);
    const bars = options.out.isTTY && options.progress && !verdict.stop ? await options.progress().catch(() => []) : [];
    const text = [
      renderTimeline(status, options.out.isTTY ? new Date() : undefined),
      ...bars.map((reading) => `  ${renderReading(reading)}`),
    ].join('\n');
    if (text !== shown) {
      if (options.out.isTTY && shown) options.out.write(`\x1b[${shown.split('\n').length}F\x1b[J`);
      options.out.write(`${text}\n`);
      shown = text;
    }
    if (verdict.stop) return { status, exitCode: verdict.exitCode };
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000));
  }
}
