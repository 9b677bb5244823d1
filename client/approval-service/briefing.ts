import type { GateBriefingInput } from '../../contracts/approvals';
import type { ReleaseStatus } from '../../contracts/releases';
import type { Landscape } from '../../domain/landscapes';

/** The instance each release gate lets the packages reach (docs/releases.md). */
const GATE_TARGETS: Record<string, Landscape> = { 'uat-push': 'uat', 'production-push': 'production' };

/**
 * What to work out for the gate a release waits at: its packages' impact, a dry run where the gate sends them,
 * and at production-push UAT's log since the last push there. Undefined when no gate is open.
 */
export function briefingInputOf(status: ReleaseStatus): GateBriefingInput | undefined {
  const gate = status.gate;
  if (!gate || (gate.phase ?? 'waiting') !== 'waiting' || status.packages.length === 0) return undefined;
  const target = GATE_TARGETS[gate.definition.name];
  const uatPush = status.pushes.filter((p) => p.target === 'uat' && p.outcome === 'applied').at(-1);
  return {
    packages: status.packages,
    ...(target ? { target: { tenant: status.tenant, landscape: target } } : {}),
    ...(gate.definition.name === 'production-push' && uatPush
      ? { uatLogSince: { instance: { tenant: status.tenant, landscape: 'uat' }, since: uatPush.at } }
      : {}),
  };
}
