import { condition, executeChild, ParentClosePolicy, patched } from '@temporalio/workflow';
import type {
  BackOutTenantOutcome,
  CarriedDeployment,
  MassDeploymentInput,
  ResolveDeploymentRequest,
} from '../../contracts/deployments';
import { tenantStatus } from '../../domain/deployments/deployment-progress';
import { waveHalts, waveTenants, type WaveProgress } from '../../domain/deployments/wave-progress';
import type { GateKeeper } from '../gates/gate-keeper';
import { backOutDeploymentTenants } from './back-out-tenants';
import { acts, type DeploymentRun, flush } from './deployment-run';

/** Children that restore a back-out's tenants at once, and tenants per child (as the deployment's own batches). */
const BACK_OUT_BATCH = 10;

/**
 * After a wave's last tenant finished (docs/mass-deployment-and-promotions.md "Waves"): the failure threshold, then the
 * soak time and the gate before the next wave. False when the deployment goes no further:
 * the last wave is done, or it was cancelled or backed out.
 */
export async function betweenWaves(
  input: MassDeploymentInput,
  run: DeploymentRun,
  state: CarriedDeployment,
  gates: GateKeeper | undefined,
): Promise<boolean> {
  const waves = state.waves;
  if (!waves) return false;
  await condition(() => run.running.size === 0);
  await flush(run.deploymentId, run.unflushed);
  if (waveHalts(waves) && !(await haltForResolution(input, run, state))) return false;
  if (waves.current >= waves.names.length - 1 || run.cancelled) return false;
  if (waves.soakSeconds) {
    run.phase = 'soaking';
    if (await condition(() => run.cancelled !== undefined, waves.soakSeconds * 1000)) return false;
  }
  if (waves.gate && gates) {
    run.phase = 'waiting-for-approval';
    const next = waves.names[waves.current + 1];
    const gate = gates.run({ ...waves.gate, name: gateName(waves.current + 1) }).then((r) => r.verdict);
    // `deploy cancel` ends the wait at once; deployments that waited before this was so replay as they ran.
    const verdict = patched('wave-gate-cancellable')
      ? await Promise.race([gate, condition(() => run.cancelled !== undefined).then(() => 'cancelled' as const)])
      : await gate;
    if (run.cancelled) return false;
    if (verdict !== 'approved') {
      run.cancelled ??= { user: input.submitter, reason: `the gate before ${next} was cancelled` };
      return false;
    }
  }
  waves.current += 1;
  run.phase = 'deploying';
  return true;
}

/** The wire name of the gate before wave `index` (`stagecoach approve <deployment> --gate wave-1`). */
export function gateName(index: number): string {
  return `wave-${index}`;
}

/**
 * A wave passed its failure threshold: the running tenants finish, nothing new starts, the
 * submitter is told, and the deployment waits for `resume`, `cancel` or `back-out`. True to go on.
 */
export async function haltForResolution(
  input: MassDeploymentInput,
  run: DeploymentRun,
  state: CarriedDeployment,
): Promise<boolean> {
  const waves = state.waves!;
  await condition(() => run.running.size === 0);
  await flush(run.deploymentId, run.unflushed);
  run.phase = 'needs-resolution';
  run.resolution = undefined;
  const name = waves.names[waves.current];
  const counts = waves.counts[waves.current];
  await acts.notify({
    workflowId: run.deploymentId,
    idempotencyKey: `${run.deploymentId}/halted/${waves.current}/${waves.accepted.length}`,
    recipients: [input.submitter],
    subject: `Deployment ${run.deploymentId} halted: ${name} has ${counts.failed} failed tenant(s)`,
    text:
      `${name} of mass deployment ${run.deploymentId} passed its failure threshold of ${waves.failureThresholdPercent} %: ` +
      `${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.skipped} skipped. Nothing else starts until you decide:\n` +
      `stagecoach deploy resolve ${run.deploymentId} resume|cancel|back-out --reason "…"`,
  });
  await condition(() => run.resolution !== undefined || run.cancelled !== undefined);
  // Set by the resolve Update while we waited.
  const resolution = run.resolution as ResolveDeploymentRequest | undefined;
  if (run.cancelled || !resolution) return false;
  if (resolution.action === 'resume') {
    waves.accepted.push(waves.current);
    run.phase = 'deploying';
    return true;
  }
  if (resolution.action === 'back-out') await backOutWave(run, state, resolution);
  run.cancelled = {
    user: resolution.user,
    reason: resolution.action === 'back-out' ? `${name} backed out: ${resolution.reason}` : resolution.reason,
  };
  return false;
}

/** Restores the wave's succeeded tenants from the backups the deployment took, verified by fingerprint. */
async function backOutWave(
  run: DeploymentRun,
  state: CarriedDeployment,
  request: { user: string; reason: string },
): Promise<void> {
  const waves = state.waves!;
  run.phase = 'backing-out';
  const tenants = waveTenants(waves, state.progress, waves.current).filter(
    (tenant) => tenantStatus(state.progress, run.running, tenant)?.status === 'succeeded',
  );
  const batches: string[][] = [];
  for (let i = 0; i < tenants.length; i += BACK_OUT_BATCH) batches.push(tenants.slice(i, i + BACK_OUT_BATCH));
  const outcomes: BackOutTenantOutcome[] = [];
  let next = 0;
  const lane = async () => {
    for (let batch = batches[next++]; batch; batch = batches[next++]) {
      outcomes.push(
        ...(await executeChild(backOutDeploymentTenants, {
          workflowId: `${run.deploymentId}/back-out/${batch[0]}..${batch[batch.length - 1]}`,
          args: [{ deploymentId: run.deploymentId, landscape: run.landscape, tenants: batch }],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        })),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.ceil(run.concurrency / BACK_OUT_BATCH)) }, lane));
  const backedOut: NonNullable<WaveProgress['backedOut']> = {
    wave: waves.names[waves.current],
    user: request.user,
    reason: request.reason,
    restored: outcomes.filter((o) => o.status === 'backed-out').map((o) => o.tenant),
    failed: outcomes
      .filter((o) => o.status === 'failed')
      .map((o) => ({ tenant: o.tenant, reason: o.reason ?? 'failed' })),
  };
  waves.backedOut = backedOut;
}
