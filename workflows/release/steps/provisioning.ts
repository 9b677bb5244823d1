import { executeChild } from '@temporalio/workflow';
import { copyDatabaseStep, setFlag, type ReleaseContext } from '../release-context';
import type { DeployPackageInput } from '../../../contracts/packages';

/**
 * Initial provisioning, steps 1a and 1b (docs/releases.md "Initial provisioning"):
 * production 0.0 from a template package, then staging 0.1 as a copy of it. Production stays
 * unlocked until it goes live.
 */
export async function provision(ctx: ReleaseContext): Promise<void> {
  ctx.state.enterPhase('provision', 'production 0.0 from the template, staging from production');
  const input: DeployPackageInput = { target: ctx.instance('production'), package: ctx.input.templatePackage! };
  await executeChild('deployPackage', {
    workflowId: ctx.childId('provision/template'),
    args: [input],
    staticSummary: `provision: template package → ${ctx.input.tenant}/production (version 0.0)`,
  });
  ctx.trail.record('production-provisioned', undefined, { template: ctx.input.templatePackage });
  await copyDatabaseStep(ctx, 'provision', {
    tenant: ctx.input.tenant,
    source: 'production',
    target: 'staging',
    backupType: 'live',
  });
  await setFlag(ctx, 'staging', 'metadataLocked', false, 'provision');
}
