import { ApplicationFailure, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DeployPackageInput, DeployPackageResult } from '../contracts/packages';
import { rootFailure } from './shared/failures';

/** Patch id: the workflow fails with its activity's own failure (type and message), not "Activity task failed". */
export const DEPLOY_PACKAGE_ROOT_FAILURE = 'deploy-package-root-failure';
const analysis = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumInterval: '1 minute', maximumAttempts: 5 },
});

// Apply is one database transaction; it heartbeats by phase and every few hundred steps.
const apply = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * Validates a package against one tenant instance and applies it if there are no errors: the
 * step releases (docs/releases.md: push to UAT / production) and mass deployments (docs/mass-deployment-and-promotions.md) repeat per target.
 * Re-running it after success is a no-op (the patch log answers `already-applied`).
 */
export async function deployPackage(input: DeployPackageInput): Promise<DeployPackageResult> {
  try {
    return await validateThenApply(input);
  } catch (error) {
    // The caller (CLI exit code, a release's push step) needs the loader's or validator's refusal itself.
    if (patched(DEPLOY_PACKAGE_ROOT_FAILURE)) throw rootFailure(error);
    throw error;
  }
}

async function validateThenApply(input: DeployPackageInput): Promise<DeployPackageResult> {
  const analyzed = await analysis.analyzePackage({ package: input.package });
  const validation = await apply.validatePackage({
    target: input.target,
    package: input.package,
    compact: input.compact,
    previewFile: input.previewFile,
  });
  if (validation.errorCount > 0) {
    throw ApplicationFailure.create({
      type: 'PackageValidationFailed',
      message: `package ${validation.packageId}@${validation.version} has ${validation.errorCount} error(s) on ${validation.target}: ${validation.errors.slice(0, 3).join(' | ')}`,
      nonRetryable: true,
      details: [validation],
    });
  }
  const applied = await apply.applyPackage({
    target: input.target,
    package: input.package,
    mode: 'validateThenApply',
    backupId: input.backupId,
    compact: input.compact,
  });
  return { analysis: analyzed, validation, applied };
}
