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
  type ReleaseRequestAnswer,
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

/** A request naming packages: `configurationReady` or `correctedPackage` (same shape, own wire names). */
type PackageRequest = ConfigurationReady | CorrectedPackage;

/** How one kind of package request is judged, accepted and audited. */
interface PackageRequestRules {
  /** The audit event of an accepted request; a refused one adds `-refused`. */
  event: 'configuration-ready' | 'corrected-package';
  refusal(request: PackageRequest): string | undefined;
  accept(request: PackageRequest): void;
}

/**
 * `configurationReady` and `correctedPackage`, each as a signal and as an update: the update's
 * validator refuses what the signal would record as refused, and a refused update comes back
 * as a signal with `refusedByUpdate`, to be recorded.
 */
export function registerPackageHandlers(status: ReleaseStatus, trail: AuditTrail, inbox: ReleaseInbox): void {
  const configurationReady = packageRequestHandlers(status, trail, {
    event: 'configuration-ready',
    refusal: (request) => {
      const accepting = !inbox.ready && (CONFIGURING_PHASES as readonly string[]).includes(status.phase);
      return (
        packagesRefusal(request) ??
        (accepting
          ? undefined
          : `configuration is ready already; the release is in phase ${status.phase} (send correctedPackage after a failed push)`)
      );
    },
    accept: (request) => {
      inbox.ready = request;
    },
  });
  const correctedPackage = packageRequestHandlers(status, trail, {
    event: 'corrected-package',
    refusal: (request) =>
      packagesRefusal(request) ??
      (inbox.expectingCorrection
        ? undefined
        : `the release is not waiting for a corrected package; it is in phase ${status.phase}`),
    accept: (request) => {
      inbox.corrected = request;
    },
  });
  // Setting a handler delivers the messages buffered for it, so this order (signals, then
  // updates) decides which run first when several arrive with the start; recorded histories rely on it.
  setHandler(configurationReadySignal, configurationReady.signal);
  setHandler(correctedPackageSignal, correctedPackage.signal);
  setHandler(configurationReadyUpdate, configurationReady.update, { validator: configurationReady.validator });
  setHandler(correctedPackageUpdate, correctedPackage.update, { validator: correctedPackage.validator });
}

function packageRequestHandlers(status: ReleaseStatus, trail: AuditTrail, rules: PackageRequestRules) {
  const refusalOf = (request: PackageRequest) => request?.refusedByUpdate ?? rules.refusal(request);
  const signal = (request: PackageRequest) => {
    const refusal = refusalOf(request);
    if (!refusal) rules.accept(request);
    trail.record(refusal ? `${rules.event}-refused` : rules.event, request?.user, {
      packages: (request?.packages ?? []).map(describePackageRef),
      comment: request?.comment,
      refusal,
    });
  };
  return {
    signal,
    update: (request: PackageRequest): ReleaseRequestAnswer => {
      signal(request);
      return { accepted: true, phase: status.phase };
    },
    validator: (request: PackageRequest) => {
      const refusal = refusalOf(request);
      if (refusal) throw new Error(refusal);
    },
  };
}

function packagesRefusal(request: { user?: string; packages?: PackageRef[] } | undefined): string | undefined {
  if (!request?.user?.trim()) return 'the signal must name the user who sends it';
  const packages = request.packages;
  if (!Array.isArray(packages) || packages.length === 0)
    return 'the signal must name at least one package ({"path": …} or {"sha256": …})';
  const bad = packages.find((p) => typeof p !== 'object' || p === null || !('path' in p || 'sha256' in p));
  return bad ? `not a package reference: ${JSON.stringify(bad)}` : undefined;
}
