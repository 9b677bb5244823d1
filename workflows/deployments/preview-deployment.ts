import type { DeploymentPreview, PreviewDeploymentInput } from '../../contracts/deployments';
import { rootFailure } from '../shared/failures';
import { acts } from './deployment-run';

/**
 * `deploy start --dry-run` (docs/mass-deployment-and-promotions.md "Dry run"): the worker, which holds the
 * inventory, plans the deployment as a real start would and refuses alike; nothing is written.
 */
export async function previewMassDeployment(input: PreviewDeploymentInput): Promise<DeploymentPreview> {
  try {
    return await acts.previewDeployment(input);
  } catch (error) {
    throw rootFailure(error);
  }
}
