import { condition, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ReleasePhase } from '../../domain/releases';
import { describeDuration } from '../../domain/release-settings';
import { SEARCH_ATTRIBUTES } from '../../contracts/temporal-names';
import type { AuditTrail } from '../audit-trail';
import { currentWaitingFor, setWaitingFor } from '../shared/waiting-for';
import type { GateKeeper } from '../gates/gate-keeper';
import {
  type ConfigurationReady,
  type CorrectedPackage,
  type ReleaseBackup,
  type ReleaseInput,
  type ReleaseStatus,
  releaseStatusQuery,
  type PushAttempt,
} from '../../contracts/releases';
import { registerChangeHandler, registerPackageHandlers, type ReleaseInbox } from './release-handlers';

/**
 * What a release knows about itself: the `status` query's answer, the phase and waiting-for
 * search attributes, the Web UI's current details, and the signals people send during
 * configuration. Created before the workflow's first await, so no signal is lost.
 */
export interface ReleaseState {
  /** Read it freely; change it through the methods below. */
  status: ReleaseStatus;
  /** The `status` query's answer: the status with the gates and what it waits for now. */
  snapshot(): ReleaseStatus;
  enterPhase(phase: ReleasePhase, note?: string): void;
  /** What the release waits for now (search attribute and current details), or nothing. */
  waitFor(what: string | undefined, details?: string): void;
  /** A backup taken by a step (to staging, or of production before a push). */
  recordBackup(backup: ReleaseBackup): void;
  /** A push of the package(s) to UAT or production, applied or not, as of now. */
  recordPush(push: Omit<PushAttempt, 'at'>): void;
  /** A problem a person should read: a failed push, a log that blocks acceptance. */
  recordProblem(problem: string): void;
  /** The last phase (`completed`, `cancelled` or `failed`), and the release's outcome. */
  finish(outcome: NonNullable<ReleaseStatus['outcome']>, note?: string): void;
  /** Resolves with the packages named by `configurationReady` (step 2); overdue after `expectedSeconds`. */
  configurationReady(expectedSeconds: number): Promise<ConfigurationReady>;
  /** Resolves with the next `correctedPackage` after a failed push. */
  correctedPackage(): Promise<CorrectedPackage>;
  /** Waits for `done`, notifying the release managers once when the phase outlasts `seconds`. */
  waitWithOverdueNotice(done: () => boolean, seconds: number, what: string): Promise<void>;
}

export function createReleaseState(
  input: ReleaseInput,
  trail: AuditTrail,
  gates: GateKeeper,
  managers: () => string[],
): ReleaseState {
  const status = initialStatus(input);
  const inbox: ReleaseInbox = { expectingCorrection: false };
  registerChangeHandler(status, trail);
  registerPackageHandlers(status, trail, inbox);
  const snapshot = (): ReleaseStatus => ({
    ...status,
    waitingFor: firstWaitingFor(),
    gate: gates.current(),
    gates: gates.gates(),
    stray: gates.stray(),
  });
  setHandler(releaseStatusQuery, snapshot);

  const state: ReleaseState = {
    status,
    snapshot,
    enterPhase(phase, note) {
      const now = new Date().toISOString();
      const last = status.timeline[status.timeline.length - 1];
      if (last && !last.endedAt) last.endedAt = now;
      status.timeline.push({ phase, startedAt: now, ...(note ? { note } : {}) });
      status.phase = phase;
      upsertSearchAttributes({ [SEARCH_ATTRIBUTES.phase]: [phase] });
      setCurrentDetails(`**Release ${input.tenant} ${input.version}**: ${phase}${note ? ` — ${note}` : ''}.`);
      trail.record('phase-entered', undefined, { phase, note });
    },
    waitFor(what, details) {
      setWaitingFor(what);
      setCurrentDetails(
        details ??
          `**Release ${input.tenant} ${input.version}**: ${status.phase}${what ? `, waiting for ${what}` : ''}.`,
      );
    },
    recordBackup(backup) {
      status.backups.push(backup);
    },
    recordPush({ target, attempt, packages, ...result }) {
      // Fields in the order the status has always listed them (the CLI prints it as JSON).
      status.pushes.push({ target, attempt, packages, at: new Date().toISOString(), ...result });
    },
    recordProblem(problem) {
      status.problems.push(problem);
    },
    finish(outcome, note) {
      state.enterPhase(outcome, note);
      status.outcome = outcome;
    },
    async configurationReady(expectedSeconds) {
      state.waitFor('configuration', configureDetails(input));
      await state.waitWithOverdueNotice(() => inbox.ready !== undefined, expectedSeconds, 'configurationReady');
      state.waitFor(undefined);
      status.packages = inbox.ready!.packages;
      return inbox.ready!;
    },
    async correctedPackage() {
      inbox.expectingCorrection = true;
      inbox.corrected = undefined;
      state.waitFor('corrected-package', correctionDetails(status));
      await condition(() => inbox.corrected !== undefined);
      inbox.expectingCorrection = false;
      state.waitFor(undefined);
      status.packages = inbox.corrected!.packages;
      return inbox.corrected!;
    },
    waitWithOverdueNotice: (done, seconds, what) =>
      waitWithOverdueNotice({ input, status, trail, managers }, done, seconds, what),
  };
  return state;
}

function initialStatus(input: ReleaseInput): ReleaseStatus {
  return {
    releaseId: workflowInfo().workflowId,
    tenant: input.tenant,
    version: input.version,
    variant: input.variant ?? 'standard',
    startedBy: input.startedBy,
    phase: 'starting',
    gates: [],
    stray: [],
    packages: input.packages ?? [],
    changeRegister: [],
    backups: [],
    pushes: [],
    timeline: [{ phase: 'starting', startedAt: new Date().toISOString() }],
    problems: [],
  };
}

async function waitWithOverdueNotice(
  release: { input: ReleaseInput; status: ReleaseStatus; trail: AuditTrail; managers: () => string[] },
  done: () => boolean,
  seconds: number,
  what: string,
): Promise<void> {
  const { input, status, trail } = release;
  if (await condition(done, seconds * 1000)) return;
  trail.record('phase-overdue', undefined, { phase: status.phase, waitingFor: what, expectedSeconds: seconds });
  const recipients = release.managers();
  if (recipients.length > 0) {
    trail.notify({
      recipients,
      subject: `[stagecoach] Release ${input.tenant} ${input.version} is overdue in ${status.phase}`,
      text: `The release has been waiting for ${what} longer than the expected ${describeDuration(seconds)}.`,
    });
  }
  await condition(done);
}

/** The `status` query shows one thing waited for. */
function firstWaitingFor(): string | undefined {
  const value = currentWaitingFor();
  return value.length > 0 ? String(value[0]) : undefined;
}

function configureDetails(input: ReleaseInput): string {
  return [
    `**Release ${input.tenant} ${input.version} waits for the configuration on staging.**`,
    '',
    'Record changes: Send signal `registerChange` with `{"user": "<you>", "description": "…"}`.',
    'When the configuration is ready: Send signal `configurationReady` with `{"user": "<you>", "packages": [{"path": "…"}]}`.',
  ].join('\n');
}

function correctionDetails(status: ReleaseStatus): string {
  return [
    `**Release ${status.tenant} ${status.version}: the last push failed or was not accepted** and the release waits for a corrected package.`,
    '',
    status.problems.length ? `Problem: ${status.problems[status.problems.length - 1]}` : '',
    '',
    'Send signal `correctedPackage` with `{"user": "<you>", "packages": [{"path": "…"}]}`; approval for the push to UAT is asked again.',
  ].join('\n');
}
