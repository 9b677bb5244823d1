import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import { ApplyPackageInput, PackageReport } from '../../contracts/packages';
import { instanceKey } from '../../domain/landscapes';
import type { PlanStep } from '../../domain/packages/apply-plan';
import { compactPackage } from '../../domain/packages/compaction';
import {
  analyzeIncrementals,
  analyzePackageImpact,
  headlineReasons,
  type PackageImpact,
} from '../../domain/packages/impact-analysis';
import { applyOrder, incrementalsOf, type ApplyOrder } from '../../domain/packages/master-order';
import type { PackageIssue } from '../../domain/packages/package-types';
import { buildPreview } from '../../domain/packages/preview';
import { simulate } from '../../domain/packages/simulation';
import type { PackageActivityDependencies } from './package-activities';
import { loadPackageRef, type LoadedPackage } from './package-source';
import { applyPlan, PackageStepError } from './plan-executor';
import { writePreviewFile } from './preview-file';
import { protectedTablesOf } from '../../domain/tenant-schema';
import { schemaOf } from '../shared/tenant-databases';
import { appliedMarker, readSnapshot, readTargetState, type TargetContext } from './target-reader';
const SHOWN_ISSUES = 20;

export async function runApplyPackage(
  deps: PackageActivityDependencies,
  input: ApplyPackageInput,
): Promise<PackageReport> {
  checkForce(input);
  const target = instanceKey(input.target);
  const loaded = await loadPackageRef(input.package, deps.packageStore);
  const { id, version } = loaded.document;
  const other = await deps.patchLog.findOtherChecksum(id, version, loaded.checksum);
  if (other) refuseChangedPackage(other.instanceKey, id, version, other.checksum, loaded.checksum);
  heartbeat('loaded');
  // The target's own marker says whether its database has the package: a restore or a copy
  // changes that, the patch log does not. Also in validate mode: applying would be a no-op.
  const knex = await deps.tenantDatabases().knexFor(input.target);
  const marker = await appliedMarker(knex, id, version);
  if (marker !== undefined) {
    const report = alreadyApplied(loaded, marker, target, analyzePackageImpact(loaded.document).level);
    if (input.mode !== 'validate') await recordPatchLog(deps, input, report, 0);
    return report;
  }
  const protectedTables = protectedTablesOf(schemaOf(deps.tenantDatabases(), input.target));
  const { report, steps } = await validateOnTarget(knex, input, loaded, target, protectedTables);
  if (input.mode === 'validate') return { ...report, outcome: report.errorCount > 0 ? 'invalid' : 'validated' };
  if (input.mode === 'validateThenApply' && report.errorCount > 0) {
    throw ApplicationFailure.nonRetryable(
      `package ${id}@${version} has ${report.errorCount} error(s) on ${target}; nothing applied: ${report.errors.slice(0, 5).join(' | ')}`,
      'PackageValidationFailed',
      report,
    );
  }
  if (input.mode === 'applyWithoutValidation') await auditForcedApply(deps, input, report);
  await applyInTransaction(deps, knex, loaded, steps, target);
  const applied = { ...report, outcome: 'applied' as const, stepsApplied: steps.length };
  await recordPatchLog(deps, input, applied, steps.length);
  return applied;
}

/** Order, impact, the read-only rule, then the simulation against the target (and the preview). */
async function validateOnTarget(
  knex: Knex,
  input: ApplyPackageInput,
  loaded: LoadedPackage,
  target: string,
  protectedTables: string[],
): Promise<{ report: PackageReport; steps: PlanStep[] }> {
  const context = await readTargetState(knex);
  const order = compacted(
    applyOrder(loaded.document, { landscape: input.target.landscape, ...context }),
    input.compact,
  );
  const impact = analyzeIncrementals(incrementalsOf(order));
  checkReadOnlyRule(input, context, impact, target, loaded.document.id);
  const snapshot = await readSnapshot(knex, protectedTables);
  heartbeat('read target');
  const { steps, issues } = simulate(snapshot, order.units);
  heartbeat('validated');
  const report = reportOf(loaded, target, impact, order, issues);
  if (input.previewFile) {
    const header = { id: loaded.document.id, version: loaded.document.version, checksum: loaded.checksum };
    report.previewFile = await writePreviewFile(
      input.previewFile,
      buildPreview({ header, target, order, impact, steps, issues }),
    );
  }
  return { report, steps };
}

function heartbeat(phase: string): void {
  activityContext()?.heartbeat({ phase });
}

function checkForce(input: ApplyPackageInput): void {
  if (input.mode !== 'applyWithoutValidation') return;
  if (!input.force?.reason?.trim() || !input.force.actor?.trim()) {
    throw ApplicationFailure.nonRetryable(
      'applyWithoutValidation needs force: { actor, reason } with a non-empty reason; it is recorded in the audit',
      'ForceReasonRequired',
    );
  }
}

/** docs/packages.md "Read-only rule": in metadata read-only mode a high-impact package can only be validated. */
function checkReadOnlyRule(
  input: ApplyPackageInput,
  context: TargetContext,
  impact: PackageImpact,
  target: string,
  id: string,
): void {
  if (!context.metadataLocked || input.mode === 'validate') return;
  if (impact.level === 'high') {
    throw ApplicationFailure.nonRetryable(
      `${target} has its metadata locked and package ${id} is high impact, so it can only be validated (${headlineReasons(impact)})`,
      'MetadataLocked',
    );
  }
  if (!input.backupId) {
    throw ApplicationFailure.nonRetryable(
      `${target} has its metadata locked: a ${impact.level}-impact package is applied only after a backup (pass backupId)`,
      'BackupRequired',
    );
  }
}

function compacted(order: ApplyOrder, compact: boolean | undefined): ApplyOrder {
  if (!compact) return order;
  return {
    ...order,
    units: order.units.map((u) => (u.kind === 'changes' ? { ...u, pkg: compactPackage(u.pkg).pkg } : u)),
  };
}

async function applyInTransaction(
  deps: PackageActivityDependencies,
  knex: Knex,
  loaded: LoadedPackage,
  steps: PlanStep[],
  target: string,
): Promise<void> {
  const now = deps.clock.now().toISOString();
  const heartbeat = activityContext();
  try {
    await applyPlan(knex, steps, {
      now,
      onProgress: (done, total) => heartbeat?.heartbeat({ done, total }),
      finish: async (trx) => {
        await trx('applied_packages').insert({
          package_id: loaded.document.id,
          package_version: loaded.document.version,
          checksum: loaded.checksum,
          applied_at: now,
        });
      },
    });
  } catch (error) {
    if (error instanceof PackageStepError && !isConnectionError(error.cause)) {
      throw ApplicationFailure.nonRetryable(
        `package ${loaded.document.id}@${loaded.document.version} on ${target}: ${error.message}; rolled back, nothing applied`,
        'PackageApplyFailed',
      );
    }
    throw error;
  }
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '08006', '08003', 'SQLITE_BUSY'].includes(code)
  );
}

function reportOf(
  loaded: LoadedPackage,
  target: string,
  impact: PackageImpact,
  order: ApplyOrder,
  issues: PackageIssue[],
): PackageReport {
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity === 'warning');
  const shown = (list: PackageIssue[]) =>
    list
      .slice(0, SHOWN_ISSUES)
      .map((i) => `${i.packageId}${i.sequence === undefined ? '' : ` #${i.sequence}`}: ${i.message}`);
  return {
    outcome: 'validated',
    target,
    packageId: loaded.document.id,
    version: loaded.document.version,
    checksum: loaded.checksum,
    impact: impact.level,
    impactCounts: impact.counts,
    impactReasons: headlineReasons(impact),
    errorCount: errors.length,
    warningCount: warnings.length,
    errors: shown(errors),
    warnings: shown(warnings),
    stepsApplied: 0,
    skippedPackages: order.skipped.map((s) => `${s.path}: ${s.reason}`),
  };
}

function alreadyApplied(
  loaded: LoadedPackage,
  recordedChecksum: string,
  target: string,
  impact: PackageImpact['level'],
): PackageReport {
  const { id, version } = loaded.document;
  refuseChangedPackage(target, id, version, recordedChecksum, loaded.checksum);
  return {
    outcome: 'already-applied',
    target,
    packageId: id,
    version,
    checksum: loaded.checksum,
    impact,
    impactCounts: { low: 0, medium: 0, high: 0 },
    impactReasons: '',
    errorCount: 0,
    warningCount: 0,
    errors: [],
    warnings: [],
    stepsApplied: 0,
    skippedPackages: [],
  };
}

async function recordPatchLog(
  deps: PackageActivityDependencies,
  input: ApplyPackageInput,
  report: PackageReport,
  steps: number,
): Promise<void> {
  const entry = await deps.patchLog.record({
    instanceKey: report.target,
    packageId: report.packageId,
    packageVersion: report.version,
    checksum: report.checksum,
    impact: report.impact,
    mode: input.mode,
    changesApplied: steps,
    workflowId: activityContext()?.info.workflowExecution?.workflowId,
    appliedAt: deps.clock.now().toISOString(),
  });
  refuseChangedPackage(report.target, report.packageId, report.version, entry.checksum, report.checksum);
}

/** docs/packages.md "Patch log": a different package under an id and version already applied (anywhere) is an error. */
function refuseChangedPackage(where: string, id: string, version: string, recorded: string, actual: string): void {
  if (recorded === actual) return;
  throw ApplicationFailure.nonRetryable(
    `${where} already has package ${id}@${version} with checksum ${recorded}; this package has checksum ${actual}. A changed package needs a new version`,
    'PackageVersionConflict',
  );
}

async function auditForcedApply(
  deps: PackageActivityDependencies,
  input: ApplyPackageInput,
  report: PackageReport,
): Promise<void> {
  const info = activityContext()?.info;
  const workflowId = info?.workflowExecution?.workflowId ?? 'no-workflow';
  await deps.auditStore.record({
    occurredAt: deps.clock.now().toISOString(),
    workflowId,
    kind: 'package-apply-forced',
    actor: input.force!.actor,
    subject: `${report.packageId}@${report.version} on ${report.target}`,
    detail: {
      reason: input.force!.reason,
      checksum: report.checksum,
      impact: report.impact,
      errorCount: report.errorCount,
      errors: report.errors.slice(0, 5),
    },
    idempotencyKey: `${workflowId}/${info?.workflowExecution?.runId ?? ''}/package-apply-forced/${report.target}/${report.packageId}@${report.version}`,
  });
}

export function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}
