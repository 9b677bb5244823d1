import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { GateBriefing, GateBriefingInput } from '../contracts/approvals';
import { describePackageRef } from '../domain/packages/package-types';
import { messageOf } from './shared/failures';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumInterval: '10 seconds', maximumAttempts: 3 },
});

/**
 * What the approval service shows at a release gate (docs/approvals-locks-windows.md "Approval service"): only
 * reads — impact of each package, a dry run on the target, UAT's log. A part that fails is named, not fatal.
 */
export async function gateBriefing(input: GateBriefingInput): Promise<GateBriefing> {
  const briefing: GateBriefing = { packages: [], previews: [], problems: [] };
  for (const ref of input.packages) {
    const what = describePackageRef(ref);
    try {
      briefing.packages.push(await acts.analyzePackage({ package: ref }));
      if (input.target) briefing.previews.push(await acts.validatePackage({ target: input.target, package: ref }));
    } catch (error) {
      briefing.problems.push(`${what}: ${messageOf(error)}`);
    }
  }
  if (input.uatLogSince) {
    try {
      briefing.uatLog = await acts.checkAcceptanceLog(input.uatLogSince);
    } catch (error) {
      briefing.problems.push(`UAT log: ${messageOf(error)}`);
    }
  }
  return briefing;
}
