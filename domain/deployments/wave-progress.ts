/**
 * Where a deployment in waves stands (docs/mass-deployment-and-promotions.md "Waves"): the waves are consecutive
 * stretches of the deployment's tenant list, so a wave needs only its end position and its counts.
 */
import type { GateDefinition } from '../gates';
import type { DeploymentCounts, DeploymentProgress } from './deployment-progress';

export interface WaveProgress {
  names: string[];
  /** Position in the tenant list just after each wave's last tenant. */
  ends: number[];
  counts: DeploymentCounts[];
  /** The wave deploying now (or last). */
  current: number;
  failureThresholdPercent: number;
  /** Waves whose failures a release manager accepted (resume): their threshold no longer halts. */
  accepted: number[];
  gate?: GateDefinition;
  soakSeconds?: number;
  backedOut?: {
    wave: string;
    user: string;
    reason: string;
    /** Tenants restored from the deployment's backups, verified by fingerprint. */
    restored: string[];
    /** Tenants whose restore failed, with the reason: they need a DBA. */
    failed: { tenant: string; reason: string }[];
  };
}

export interface WaveStatus {
  name: string;
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  state: 'pending' | 'deploying' | 'done' | 'halted' | 'backed-out';
}

export function newWaveProgress(
  plan: { names: string[]; ends: number[]; gate?: GateDefinition },
  options: { failureThresholdPercent: number; soakSeconds?: number },
): WaveProgress {
  return {
    names: plan.names,
    ends: plan.ends,
    counts: plan.names.map(() => ({ succeeded: 0, failed: 0, skipped: 0 })),
    current: 0,
    failureThresholdPercent: options.failureThresholdPercent,
    accepted: [],
    ...(plan.gate ? { gate: plan.gate } : {}),
    ...(options.soakSeconds ? { soakSeconds: options.soakSeconds } : {}),
  };
}

export function waveStart(waves: WaveProgress, wave: number): number {
  return wave === 0 ? 0 : waves.ends[wave - 1];
}

/** The wave holding the tenant at `position` in the deployment's list. */
export function waveAt(waves: WaveProgress, position: number): number {
  const index = waves.ends.findIndex((end) => position < end);
  return index < 0 ? waves.ends.length - 1 : index;
}

export function countWaveOutcome(
  waves: WaveProgress | undefined,
  position: number,
  status: 'succeeded' | 'failed' | 'skipped',
): void {
  if (waves && position >= 0) waves.counts[waveAt(waves, position)][status] += 1;
}

/**
 * Whether the current wave halts the deployment. While the wave runs it halts as soon as its
 * failures pass the threshold of the whole wave (the final rate can only be higher); once every
 * tenant of the wave is done, when failures pass the threshold of the tenants processed
 * (skipped ones, which were never tried, do not count).
 */
export function waveHalts(waves: WaveProgress | undefined): boolean {
  if (!waves || waves.accepted.includes(waves.current)) return false;
  const counts = waves.counts[waves.current];
  const size = waves.ends[waves.current] - waveStart(waves, waves.current);
  const done = counts.succeeded + counts.failed + counts.skipped === size;
  const base = done ? counts.succeeded + counts.failed : size;
  return counts.failed > 0 && counts.failed * 100 > waves.failureThresholdPercent * base;
}

export function waveStatuses(waves: WaveProgress, halted: boolean): WaveStatus[] {
  return waves.names.map((name, i) => {
    const counts = waves.counts[i];
    const total = waves.ends[i] - waveStart(waves, i);
    const finished = counts.succeeded + counts.failed + counts.skipped;
    const state: WaveStatus['state'] =
      waves.backedOut?.wave === name
        ? 'backed-out'
        : i === waves.current && halted
          ? 'halted'
          : i < waves.current || finished === total
            ? 'done'
            : i === waves.current
              ? 'deploying'
              : 'pending';
    return { name, total, ...counts, state };
  });
}

/** The tenants of a wave, for the back-out and the halt notice. */
export function waveTenants(waves: WaveProgress, progress: DeploymentProgress, wave: number): string[] {
  return progress.tenants.slice(waveStart(waves, wave), waves.ends[wave]);
}
