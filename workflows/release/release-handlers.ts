import { setHandler } from '@temporalio/workflow';
import { describePackageRef, type PackageRef } from '../../domain/packages/package-types';
import type { AuditTrail } from '../audit-trail';
import {
  type ConfigurationReady,
  configurationReadySignal,
  configurationReadyUpdate,
  type CorrectedPackage,
  correctedPackageSignal,
  correctedPackageUpdate,
  registerChangeSignal,
  type ReleaseStatus,
} from '../../contracts/releases';

/** What people sent during configuration and after a failed push; the release state waits on it. */
export interface ReleaseInbox {
  /** The accepted `configurationReady`. */
  ready?: ConfigurationReady;
  /** True while the release waits for a corrected package. */
  expectingCorrection: boolean;
  /** The accepted `correctedPackage` of the current wait. */
  corrected?: CorrectedPackage;
}

/** `configurationReady` may come early (while the baseline copy runs) but not after step 2. */
const CONFIGURING_PHASES = ['starting', 'provision', 'baseline', 'configure'] as const;

/** `registerChange`: a change made on staging, recorded in the change register (or refused). */
export function registerChangeHandler(status: ReleaseStatus, trail: AuditTrail): void {
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
}

/**
 * `configurationReady` and `correctedPackage`, each as a signal and as an update: the update's
 * validator refuses what the signal would record as refused, and a refused update comes back
 * as a signal with `refusedByUpdate`, to be recorded.
 */
export function registerPackageHandlers(status: ReleaseStatus, trail: AuditTrail, inbox: ReleaseInbox): void {
  const configurationReadyRefusal = (request: ConfigurationReady) => {
    const accepting = !inbox.ready && (CONFIGURING_PHASES as readonly string[]).includes(status.phase);
    return (
      packagesRefusal(request) ??
      (accepting
        ? undefined
        : `configuration is ready already; the release is in phase ${status.phase} (send correctedPackage after a failed push)`)
    );
  };
  const onConfigurationReady = (request: ConfigurationReady) => {
    const refusal = request?.refusedByUpdate ?? configurationReadyRefusal(request);
    if (!refusal) inbox.ready = request;
    trail.record(refusal ? 'configuration-ready-refused' : 'configuration-ready', request?.user, {
      packages: (request?.packages ?? []).map(describePackageRef),
      comment: request?.comment,
      refusal,
    });
  };
  const correctedPackageRefusal = (request: CorrectedPackage) =>
    packagesRefusal(request) ??
    (inbox.expectingCorrection
      ? undefined
      : `the release is not waiting for a corrected package; it is in phase ${status.phase}`);
  const onCorrectedPackage = (request: CorrectedPackage) => {
    const refusal = request?.refusedByUpdate ?? correctedPackageRefusal(request);
    if (!refusal) inbox.corrected = request;
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
}

function packagesRefusal(request: { user?: string; packages?: PackageRef[] } | undefined): string | undefined {
  if (!request?.user?.trim()) return 'the signal must name the user who sends it';
  const packages = request.packages;
  if (!Array.isArray(packages) || packages.length === 0)
    return 'the signal must name at least one package ({"path": …} or {"sha256": …})';
  const bad = packages.find((p) => typeof p !== 'object' || p === null || !('path' in p || 'sha256' in p));
  return bad ? `not a package reference: ${JSON.stringify(bad)}` : undefined;
}
