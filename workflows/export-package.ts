import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ExportPackageRequest, ExportPackageResult } from '../contracts/packages';
import { rootFailure } from './shared/failures';

// Reading two instances' metadata is quick; a failure to read is worth a few retries.
const { exportPackage } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  retry: { maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * `stagecoach package export` (docs/packages.md "Export"): the worker, which reaches both instances, builds the
 * package and publishes it in the control database; the result carries its hash, never the content or a file path.
 */
export async function exportPackageFromInstance(request: ExportPackageRequest): Promise<ExportPackageResult> {
  try {
    const { base, ...rest } = request;
    return await exportPackage({ ...rest, target: base });
  } catch (error) {
    throw rootFailure(error);
  }
}
