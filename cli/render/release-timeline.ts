import type { PhaseRecord, PhaseState, ReleaseStatus, WaitingFor } from '../../client/release-status';
import { EXIT, type ExitCode } from '../exit-codes';

const marks: Record<PhaseState, string> = {
  pending: '·',
  running: '▶',
  waiting: '⏸',
  done: '✓',
  failed: '✗',
  skipped: '–',
};

/**
 * The phase timeline of `release status|watch`, one line per phase, then what it waits for.
 * With `now`, running phases show how long they have run (live on a terminal); without, only
 * finished phases show durations, so the text changes only when the release does (for logs).
 */
export function renderTimeline(status: ReleaseStatus, now?: Date): string {
  const header = `${status.releaseId}  ${status.tenant} ${status.version}  ${status.outcome ?? `in ${status.phase}`}`;
  const lines = [header, ...status.phases.map((record) => renderPhase(record, now))];
  if (status.waitingFor) lines.push(`  waiting for ${describeWaiting(status.waitingFor)}`);
  if (status.reason) lines.push(`  ${status.outcome === 'failed' ? 'failed' : 'reason'}: ${status.reason}`);
  return lines.join('\n');
}

function renderPhase(record: PhaseRecord, now: Date | undefined): string {
  const started = record.startedAt ? new Date(record.startedAt) : undefined;
  const ended = record.endedAt ? new Date(record.endedAt) : record.state === 'running' || record.state === 'waiting' ? now : undefined;
  const took = started && ended ? `  ${formatDuration(ended.getTime() - started.getTime())}` : '';
  const attempts = (record.attempts ?? 1) > 1 ? `  (attempt ${record.attempts})` : '';
  const detail = record.detail ? `  ${record.detail}` : '';
  return `  ${marks[record.state]} ${record.phase.padEnd(16)}${took}${attempts}${detail}`;
}

export function describeWaiting(waiting: WaitingFor): string {
  switch (waiting.kind) {
    case 'gate':
      return `gate ${waiting.gate}: ${waiting.approvalsStillNeeded} approval(s) from ${waiting.approvers.join(', ')}`;
    case 'resolution':
      return `a release manager (${waiting.releaseManagers.join(', ')}) to resolve or cancel gate ${waiting.gate}`;
    case 'configuration-ready':
      return 'configurationReady: staging is being configured; send it with the package(s) to promote';
    case 'corrected-package':
      return 'a corrected package after a failed push';
    case 'maintenance-window':
      return `the maintenance window opening ${waiting.opensAt}`;
    case 'instance-lock':
      return `the lock of ${waiting.instance}${waiting.heldBy ? ` (held by ${waiting.heldBy})` : ''}`;
  }
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${seconds % 60}s`;
  return `${seconds}s`;
}

/**
 * When `release watch` stops and with which exit code: the release ended (0 completed,
 * 5 failed, 4 cancelled) or waits for a person (0: someone has to act, and watch says who).
 */
export function watchVerdict(status: ReleaseStatus): { stop: boolean; exitCode: ExitCode } {
  if (status.outcome === 'completed') return { stop: true, exitCode: EXIT.ok };
  if (status.outcome === 'failed') return { stop: true, exitCode: EXIT.failed };
  if (status.outcome === 'cancelled') return { stop: true, exitCode: EXIT.refused };
  if (status.waitingFor?.person) return { stop: true, exitCode: EXIT.ok };
  return { stop: false, exitCode: EXIT.ok };
}

/**
 * The loop of `release watch`: redraws the timeline on a terminal (or prints it when it
 * changed, for logs), until `watchVerdict` says stop. `read` is the client's status call.
 */
export async function watchRelease(
  read: () => Promise<ReleaseStatus>,
  options: { out: NodeJS.WritableStream & { isTTY?: boolean }; intervalMs?: number },
): Promise<{ status: ReleaseStatus; exitCode: ExitCode }> {
  let shown = '';
  for (;;) {
    const status = await read();
    const text = renderTimeline(status, options.out.isTTY ? new Date() : undefined);
    if (text !== shown) {
      // On a terminal, move up over the previous drawing and redraw in place.
      if (options.out.isTTY && shown) options.out.write(`\x1b[${shown.split('\n').length}F\x1b[J`);
      options.out.write(`${text}\n`);
      shown = text;
    }
    const verdict = watchVerdict(status);
    if (verdict.stop) return { status, exitCode: verdict.exitCode };
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000));
  }
}
