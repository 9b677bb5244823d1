import type { ReleaseContext } from '../release-context';

/**
 * Step 2: people change staging and record their changes (`registerChange`); the step ends
 * with `configurationReady` naming the package(s) to promote, unless the release was started
 * with them.
 */
export async function configure(ctx: ReleaseContext): Promise<void> {
  ctx.state.enterPhase('configure');
  if (ctx.input.packages?.length) return;
  await ctx.state.configurationReady(ctx.settings.phaseSeconds.configure);
}
