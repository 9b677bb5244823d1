/**
 * The order and the waves of a mass deployment (docs/mass-deployment-and-promotions.md "Waves" and "Order"), pure so
 * the preparing activity, `deploy start --dry-run` and the tests plan alike.
 */

/** The guides widen a fleet "a few thousand at a time": at most 8,000 per wave by default, 15,000 at most. */
export const DEFAULT_WAVE_SIZE = 8_000;
export const MAX_WAVE_SIZE = 15_000;
/** A wave with more than this share of failed tenants halts the deployment. */
export const DEFAULT_FAILURE_THRESHOLD_PERCENT = 5;

export interface WaveOptions {
  /** The first wave: named tenants, or the tenants carrying a tag. */
  pilot?: { tenants?: string[]; tag?: string };
  /** Tenants per wave after the pilot (default DEFAULT_WAVE_SIZE). */
  size?: number;
  /** One wave per tag, in this order, after the pilot; tenants carrying none of them follow, by size. */
  byTags?: string[];
  /** An approval gate before every wave after the first: who approves (inventory role or user names). */
  gate?: { role?: string; approvers?: string[]; requiredApprovals?: number; timeoutSeconds?: number };
  /** Seconds to wait after a wave before the next one starts. */
  soakSeconds?: number;
  /** Percent of a wave's processed tenants that may fail before the deployment halts (default 5). */
  failureThresholdPercent?: number;
}

export interface PlannedWave {
  name: string;
  tenants: string[];
}

export interface DeploymentPlan {
  /** Every tenant, wave after wave, each after the tenants it depends on. */
  waves: PlannedWave[];
  /** Dependencies inside the selection only (docs/mass-deployment-and-promotions.md "Order"). */
  dependsOn: Record<string, string[]>;
}

export interface PlannedTenant {
  tags: string[];
  dependsOn: string[];
}

/** A plan that cannot run; `type` is the failure type the activity reports. */
export class PlanError extends Error {
  constructor(
    message: string,
    readonly type: 'InvalidWavePlan' | 'DependencyCycle',
  ) {
    super(message);
  }
}

/**
 * Plans the selection: waves (one when `options` is absent), each tenant no earlier than the
 * tenants it depends on, and inside a wave dependencies first, otherwise in selection order.
 */
export function planDeployment(
  selection: string[],
  tenants: Record<string, PlannedTenant>,
  options?: WaveOptions,
): DeploymentPlan {
  const chosen = new Set(selection);
  const dependsOn: Record<string, string[]> = {};
  for (const tenant of selection) {
    const inside = (tenants[tenant]?.dependsOn ?? []).filter((other) => chosen.has(other));
    if (inside.length > 0) dependsOn[tenant] = inside;
  }
  const order = dependencyOrder(selection, dependsOn);
  const wave = options ? assignWaves(selection, tenants, options) : { names: ['all'], of: () => 0 };
  // A tenant waits for its dependencies: it moves into the latest wave among theirs.
  const waveOf = new Map<string, number>();
  for (const tenant of order)
    waveOf.set(tenant, Math.max(wave.of(tenant), ...(dependsOn[tenant] ?? []).map((d) => waveOf.get(d)!)));
  const waves = wave.names.map((name, index) => ({ name, tenants: order.filter((t) => waveOf.get(t) === index) }));
  return { waves: waves.filter((w) => w.tenants.length > 0), dependsOn };
}

/** Depth-first, dependencies before dependents, ties in selection order; a cycle is refused, named. */
function dependencyOrder(selection: string[], dependsOn: Record<string, string[]>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (tenant: string, path: string[]) => {
    if (state.get(tenant) === 'done') return;
    if (state.get(tenant) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(tenant)), tenant];
      throw new PlanError(
        `dependency cycle among the selected tenants: ${cycle.join(' → ')} (inventory dependsOn)`,
        'DependencyCycle',
      );
    }
    state.set(tenant, 'visiting');
    for (const other of dependsOn[tenant] ?? []) visit(other, [...path, tenant]);
    state.set(tenant, 'done');
    order.push(tenant);
  };
  for (const tenant of selection) visit(tenant, []);
  return order;
}

function assignWaves(
  selection: string[],
  tenants: Record<string, PlannedTenant>,
  options: WaveOptions,
): { names: string[]; of(tenant: string): number } {
  const size = options.size ?? DEFAULT_WAVE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_WAVE_SIZE)
    throw new PlanError(`wave size ${size} must be a whole number from 1 to ${MAX_WAVE_SIZE}`, 'InvalidWavePlan');
  const threshold = options.failureThresholdPercent ?? DEFAULT_FAILURE_THRESHOLD_PERCENT;
  if (!(threshold >= 0 && threshold <= 100))
    throw new PlanError(`failure threshold ${threshold} % must be from 0 to 100`, 'InvalidWavePlan');
  const names: string[] = [];
  const index = new Map<string, number>();
  const pilot = pilotOf(selection, tenants, options.pilot);
  if (pilot.length > 0) {
    names.push('pilot');
    for (const tenant of pilot) index.set(tenant, 0);
  }
  for (const tag of options.byTags ?? []) {
    const members = selection.filter((t) => !index.has(t) && tenants[t]?.tags.includes(tag));
    if (members.length === 0) continue;
    // A tag's tenants are a wave of their own, split when they pass the size cap.
    for (let i = 0; i < members.length; i += size) {
      names.push(members.length > size ? `tag ${tag} (${i / size + 1})` : `tag ${tag}`);
      for (const tenant of members.slice(i, i + size)) index.set(tenant, names.length - 1);
    }
  }
  const rest = selection.filter((t) => !index.has(t));
  for (let i = 0; i < rest.length; i += size) {
    names.push(`wave ${names.length + (pilot.length > 0 ? 0 : 1)}`);
    for (const tenant of rest.slice(i, i + size)) index.set(tenant, names.length - 1);
  }
  return { names, of: (tenant) => index.get(tenant)! };
}

function pilotOf(selection: string[], tenants: Record<string, PlannedTenant>, pilot: WaveOptions['pilot']): string[] {
  if (!pilot) return [];
  if (pilot.tenants && pilot.tag) throw new PlanError('a pilot is named tenants or a tag, not both', 'InvalidWavePlan');
  if (pilot.tenants) {
    const outside = pilot.tenants.filter((t) => !selection.includes(t));
    if (outside.length > 0)
      throw new PlanError(`pilot tenant(s) not among the selected tenants: ${outside.join(', ')}`, 'InvalidWavePlan');
    return selection.filter((t) => pilot.tenants!.includes(t));
  }
  const tagged = selection.filter((t) => pilot.tag !== undefined && tenants[t]?.tags.includes(pilot.tag));
  if (tagged.length === 0)
    throw new PlanError(`no selected tenant carries the pilot tag '${pilot.tag}'`, 'InvalidWavePlan');
  return tagged;
}
