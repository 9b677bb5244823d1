import { condition, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ReleasePhase } from '../../domain/releases';
import { describeDuration } from '../../domain/release-settings';
import { SEARCH_ATTRIBUTES } from '../../contracts/temporal-names';
import { describePackageRef, type PackageRef } from '../../domain/packages/package-types';
import type { AuditTrail } from '../audit-trail';
import type { GateKeeper } from '../gates/gate-keeper';
import {
  type ConfigurationReady,
  configurationReadySignal,
  configurationReadyUpdate,
  type CorrectedPackage,
  correctedPackageSignal,
  correctedPackageUpdate,
  registerChangeSignal,
  type ReleaseInput,
  type ReleaseStatus,
  releaseStatusQuery,
} from '../../contracts/releases';

/**
 * What a release knows about itself: the `status` query's answer, the phase and waiting-for
 * search attributes, the Web UI's current details, and the signals people send during
 * configuration. Created before the workflow's first await, so no signal is lost.
 */
export interface ReleaseState {
  status: ReleaseStatus;
  /** The `status` query's answer: the status with the gates and what it waits for now. */
  snapshot(): ReleaseStatus;
  enterPhase(phase: ReleasePhase, note?: string): void;
  /** What the release waits for now (search attribute and current details), or nothing. */
  waitFor(what: string | undefined, details?: string): void;
  /** Resolves with the packages named by `configurationReady` (step 2); overdue after `expectedSeconds`. */
  configurationReady(expectedSeconds: number): Promise<ConfigurationReady>;
  /** Resolves with the next `correctedPackage` after a failed push. */
  correctedPackage(): Promise<CorrectedPackage>;
  /** Waits for `done`, notifying the release managers once when the phase outlasts `seconds`. */
  waitWithOverdueNotice(done: () => boolean, seconds: number, what: string): Promise<void>;
}

/** `configurationReady` may come early (while the baseline copy runs) but not after step 2. */
const CONFIGURING_PHASES = ['starting', 'provision', 'baseline', 'configure'] as const;

export function createReleaseState(
  input: ReleaseInput,
  trail: AuditTrail,
  gates: GateKeeper,
  managers: () => string[],
): ReleaseState {
  const status: ReleaseStatus = {
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
  let ready: ConfigurationReady | undefined;
  let expectingCorrection = false;
  let corrected: CorrectedPackage | undefined;

  setHandler(registerChangeSignal, (change) => {
    const refusal =
      !change?.user?.trim() || !change.description?.trim() ? 'a change needs user and description' : undefined;
    if (!refusal)
      status.changeRegister.push({
        user: change.user,
        description: change.description,
        reference: change.reference,
        at: new Date().toISOString(),
      });
    trail.record(refusal ? 'change-refused' : 'change-registered', change?.user, {
      description: change?.description,
      reference: change?.reference,
      refusal,
    });
  });
  const configurationReadyRefusal = (request: ConfigurationReady) => {
    const accepting = !ready && (CONFIGURING_PHASES as readonly string[]).includes(status.phase);
    return (
      packagesRefusal(request) ??
      (accepting
        ? undefined
        : `configuration is ready already; the release is in phase ${status.phase} (send correctedPackage after a failed push)`)
    );
  };
  const onConfigurationReady = (request: ConfigurationReady) => {
    const refusal = request?.refusedByUpdate ?? configurationReadyRefusal(request);
    if (!refusal) ready = request;
    trail.record(refusal ? 'configuration-ready-refused' : 'configuration-ready', request?.user, {
      packages: (request?.packages ?? []).map(describePackageRef),
      comment: request?.comment,
      refusal,
    });
  };
  const correctedPackageRefusal = (request: CorrectedPackage) =>
    packagesRefusal(request) ??
    (expectingCorrection
      ? undefined
      : `the release is not waiting for a corrected package; it is in phase ${status.phase}`);
  const onCorrectedPackage = (request: CorrectedPackage) => {
    const refusal = request?.refusedByUpdate ?? correctedPackageRefusal(request);
    if (!refusal) corrected = request;
    trail.record(refusal ? 'corrected-package-refused' : 'corrected-package', request?.user, {
      packages: (request?.packages ?? []).map(describePackageRef),
      comment: request?.comment,
      refusal,
    });
  };
  setHandler(configurationReadySignal, onConfigurationReady);
  setHandler(correctedPackageSignal, onCorrectedPackage);
  const refuseWith = (refusal: string | undefined) => {
    if (refusal) throw new Error(refusal);
  };
  setHandler(
    configurationReadyUpdate,
    (request) => {
      onConfigurationReady(request);
      return { accepted: true, phase: status.phase };
    },
    { validator: (request) => refuseWith(request?.refusedByUpdate ?? configurationReadyRefusal(request)) },
  );
  setHandler(
    correctedPackageUpdate,
    (request) => {
      onCorrectedPackage(request);
      return { accepted: true, phase: status.phase };
    },
    { validator: (request) => refuseWith(request?.refusedByUpdate ?? correctedPackageRefusal(request)) },
  );
  const snapshot = (): ReleaseStatus => ({
    ...status,
    waitingFor: currentWaitingFor(),
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
      upsertSearchAttributes({ [SEARCH_ATTRIBUTES.waitingFor]: what ? [what] : [] });
      setCurrentDetails(
        details ??
          `**Release ${input.tenant} ${input.version}**: ${status.phase}${what ? `, waiting for ${what}` : ''}.`,
      );
    },
    async configurationReady(expectedSeconds) {
      state.waitFor('configuration', configureDetails(input));
      await state.waitWithOverdueNotice(() => ready !== undefined, expectedSeconds, 'configurationReady');
      state.waitFor(undefined);
      status.packages = ready!.packages;
      return ready!;
    },
    async correctedPackage() {
      expectingCorrection = true;
      corrected = undefined;
      state.waitFor('corrected-package', correctionDetails(status));
      await condition(() => corrected !== undefined);
      expectingCorrection = false;
      state.waitFor(undefined);
      status.packages = corrected!.packages;
      return corrected!;
    },
    async waitWithOverdueNotice(done, seconds, what) {
      if (await condition(done, seconds * 1000)) return;
      trail.record('phase-overdue', undefined, { phase: status.phase, waitingFor: what, expectedSeconds: seconds });
      const recipients = managers();
      if (recipients.length > 0) {
        trail.notify({
          recipients,
          subject: `[stagecoach] Release ${input.tenant} ${input.version} is overdue in ${status.phase}`,
          text: `The release has been waiting for ${what} longer than the expected ${describeDuration(seconds)}.`,
        });
      }
      await condition(done);
    },
  };
  return state;
}

function packagesRefusal(request: { user?: string; packages?: PackageRef[] } | undefined): string | undefined {
  if (!request?.user?.trim()) return 'the signal must name the user who sends it';
  const packages = request.packages;
  if (!Array.isArray(packages) || packages.length === 0)
    return 'the signal must name at least one package ({"path": …} or {"sha256": …})';
  const bad = packages.find((p) => typeof p !== 'object' || p === null || !('path' in p || 'sha256' in p));
  return bad ? `not a package reference: ${JSON.stringify(bad)}` : undefined;
}

function currentWaitingFor(): string | undefined {
  const value = workflowInfo().searchAttributes?.[SEARCH_ATTRIBUTES.waitingFor];
  return Array.isArray(value) && value.length > 0 ? String(value[0]) : undefined;
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
