import { executeChild, workflowInfo } from '@temporalio/workflow';
import type { DeployPackageInput, DeployPackageResult } from '../contracts/packages';
import { describePackageRef } from '../domain/packages/package-types';
import { deployPackage } from './deploy-package';
import { withInstanceLock } from './locks/with-instance-lock';
import { rootFailure } from './shared/failures';

/**
 * `stagecoach package apply` (docs/packages.md "Apply"): a package applied by hand waits for the instance's lock
 * (docs/approvals-locks-windows.md "Instance locks") like a release step or a deployment would, so it never writes
 * under a release's push or a copy. Its workflow id comes from the package's hash and the target, so the same
 * command run twice at once is one apply.
 */
export async function applyPackageToInstance(input: DeployPackageInput): Promise<DeployPackageResult> {
  const { workflowId } = workflowInfo();
  try {
    return await withInstanceLock(input.target, `package apply ${describePackageRef(input.package)}`, () =>
      executeChild(deployPackage, { workflowId: `${workflowId}/apply`, args: [input] }),
    );
  } catch (error) {
    // The caller (the CLI's exit code) needs the loader's or validator's refusal itself.
    throw rootFailure(error);
  }
}
