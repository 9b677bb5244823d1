/**
 * What `stagecoach release status|watch` shows of a release (SPEC §4): the phase timeline and
 * what, or whom, it waits for. The release workflow answers its status query with this shape;
 * it lives in the client so the CLI and other programs depend on it, not on workflow code.
 */

/** SPEC §4 phases in order; variants skip some (without UAT: uat-refresh, push-to-uat, acceptance). */
export const RELEASE_PHASES = [
  'baseline',
  'configure',
  'uat-refresh',
  'push-to-uat',
  'acceptance',
  'production-push',
  'afterwards',
] as const;
export type ReleasePhase = (typeof RELEASE_PHASES)[number];

export type PhaseState = 'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'skipped';

export interface PhaseRecord {
  phase: ReleasePhase;
  state: PhaseState;
  startedAt?: string;
  endedAt?: string;
  /** One line on what happens or happened, e.g. `applied package acme-config 1.4 (12 changes)`. */
  detail?: string;
  /** Times the phase ran: a failed production push returns to push-to-uat and runs it again. */
  attempts?: number;
}

/**
 * Whom the release waits for. `person` kinds need someone to act, so `release watch` exits
 * on them; `system` kinds (a maintenance window, an instance lock) pass by themselves.
 */
export type WaitingFor =
  | { kind: 'gate'; gate: string; approvers: string[]; approvalsStillNeeded: number; since: string; person: true }
  | { kind: 'resolution'; gate: string; releaseManagers: string[]; since: string; person: true }
  | { kind: 'configuration-ready'; since: string; person: true }
  | { kind: 'corrected-package'; since: string; person: true }
  | { kind: 'maintenance-window'; opensAt: string; since: string; person: false }
  | { kind: 'instance-lock'; instance: string; heldBy?: string; since: string; person: false };

export type ReleaseOutcome = 'completed' | 'failed' | 'cancelled';

export interface ReleaseStatus {
  releaseId: string;
  tenant: string;
  version: string;
  /** The phase running now, or the last one once the release has ended. */
  phase: ReleasePhase;
  phases: PhaseRecord[];
  waitingFor?: WaitingFor;
  /** Set once the release has ended. */
  outcome?: ReleaseOutcome;
  /** Why it failed or was cancelled. */
  reason?: string;
}
