/**
 * Configuration packages through the client library: `client.packages.apply` validates then
 * applies a package on a target through the worker, under the target's instance lock (one transaction).
 * Checking a package without a server lives in cli/local/.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type {
  DeployPackageInput,
  DeployPackageResult,
  ExportPackageRequest,
  ExportPackageResult,
} from '../contracts/packages';
import { instanceKey } from '../domain/landscapes';
import { describePackageRef } from '../domain/packages/package-types';
import type { ClientCore } from './core';
import { type FailureNaming, PackageRefusedError } from './errors';

/** Failure types that mean "this package is not applied here", not "the apply broke". */
const REFUSAL_TYPES = /PackageValidationFailed|PackageInvalid|ReadOnly|Conflict/;

const packageFailures: FailureNaming = {
  failed: (workflowId, failure) =>
    failure.type && REFUSAL_TYPES.test(failure.type)
      ? new PackageRefusedError(workflowId, failure.type, failure.message)
      : undefined,
};

export type AppliedPackage = DeployPackageResult & { workflowId: string };

export class Packages {
  constructor(private readonly core: ClientCore) {}

  /**
   * Applies the package and waits for the outcome. PackageRefusedError when it is invalid,
   * conflicts or the target refuses it; any other failure is the SDK's WorkflowFailedError.
   */
  async apply(input: DeployPackageInput): Promise<AppliedPackage> {
    const { tenant, landscape } = input.target;
    // docs/packages.md "Apply": one workflow per package content and target, so the same apply run twice at once is
    // one (the second start joins the first); a file path (a worker on this machine) has no stable content id.
    const workflowId =
      'sha256' in input.package
        ? `package-apply/${tenant}/${landscape}/${input.package.sha256.slice(0, 16)}`
        : `package-apply/${tenant}/${landscape}/${Date.now()}`;
    const file = 'path' in input.package ? path.basename(input.package.path) : describePackageRef(input.package);
    const result = await this.core.execute<DeployPackageResult>(
      'applyPackageToInstance',
      workflowId,
      input,
      { staticSummary: `apply ${file} to ${tenant}/${landscape}`, workflowIdConflictPolicy: 'USE_EXISTING' },
      packageFailures,
    );
    return { workflowId, ...result };
  }

  /**
   * The package that makes `base` equal `source` (docs/packages.md "Export"), built by the worker and published in
   * the control database; the result names it by hash. PackageRefusedError when the worker refuses the export.
   */
  async export(request: ExportPackageRequest): Promise<ExportPackageResult & { workflowId: string }> {
    const workflowId = `package-export/${request.source.tenant}/${randomUUID()}`;
    const result = await this.core.execute<ExportPackageResult>(
      'exportPackageFromInstance',
      workflowId,
      request,
      {
        staticSummary: `export ${request.packageId}@${request.version}: ${instanceKey(request.source)} compared with ${instanceKey(request.base)}`,
      },
      exportFailures,
    );
    return { workflowId, ...result };
  }
}

const exportFailures: FailureNaming = {
  failed: (workflowId, failure) =>
    failure.type && /InvalidExport|InventoryInvalid|NoTenantDatabases/.test(failure.type)
      ? new PackageRefusedError(workflowId, failure.type, failure.message)
      : undefined,
};
