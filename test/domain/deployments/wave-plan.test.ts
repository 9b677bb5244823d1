import { describe, expect, it } from 'vitest';
import { PlanError, planDeployment } from '../../../domain/deployments/wave-plan';
import { newWaveProgress, waveHalts } from '../../../domain/deployments/wave-progress';

const fleet = (spec: Record<string, { tags?: string[]; dependsOn?: string[] }>) =>
  Object.fromEntries(Object.entries(spec).map(([t, s]) => [t, { tags: s.tags ?? [], dependsOn: s.dependsOn ?? [] }]));

describe('deployment plan (docs/mass-deployment-and-promotions.md "Waves" and "Order")', () => {
  it("a pilot by tag, then waves by size; a child deploys before its parent and a dependent moves to its dependency's wave", () => {
    const tenants = fleet({
      a: { tags: ['pilot'] },
      b: {},
      c: { dependsOn: ['d'] },
      d: {},
      e: { tags: ['pilot'], dependsOn: ['f'] },
      f: {},
    });
    const plan = planDeployment(['a', 'b', 'c', 'd', 'e', 'f'], tenants, { pilot: { tag: 'pilot' }, size: 2 });
    expect(plan.waves).toEqual([
      { name: 'pilot', tenants: ['a'] },
      // c (wave 1 by size) waits for d (wave 2); the pilot's e waits for f (wave 2).
      { name: 'wave 1', tenants: ['b'] },
      { name: 'wave 2', tenants: ['d', 'c', 'f', 'e'] },
    ]);
    expect(plan.dependsOn).toEqual({ c: ['d'], e: ['f'] });
  });

  it('dependencies outside the selection are not waited for; without options one wave in dependency order', () => {
    const plan = planDeployment(['p', 'q'], fleet({ p: { dependsOn: ['q', 'x'] }, q: {}, x: {} }));
    expect(plan.waves).toEqual([{ name: 'all', tenants: ['q', 'p'] }]);
    expect(plan.dependsOn).toEqual({ p: ['q'] });
  });

  it('refuses a dependency cycle, naming it, and a wave size past the cap', () => {
    const cyclic = fleet({ a: { dependsOn: ['b'] }, b: { dependsOn: ['c'] }, c: { dependsOn: ['a'] } });
    expect(() => planDeployment(['a', 'b', 'c'], cyclic)).toThrow(/dependency cycle .*a → b → c → a/);
    expect(() => planDeployment(['a'], fleet({ a: {} }), { size: 15_001 })).toThrow(PlanError);
    expect(() => planDeployment(['a'], fleet({ a: {} }), { pilot: { tenants: ['z'] } })).toThrow(/pilot tenant.*z/);
  });

  it('a wave halts once its failures pass the threshold of the wave, or of those processed at its end', () => {
    const waves = newWaveProgress({ names: ['pilot', 'wave 1'], ends: [3, 103] }, { failureThresholdPercent: 5 });
    waves.counts[0] = { succeeded: 2, failed: 0, skipped: 0 };
    expect(waveHalts(waves)).toBe(false);
    waves.counts[0].failed = 1;
    expect(waveHalts(waves)).toBe(true);
    waves.accepted.push(0);
    expect(waveHalts(waves)).toBe(false);
    waves.current = 1;
    waves.counts[1] = { succeeded: 40, failed: 5, skipped: 0 };
    expect(waveHalts(waves)).toBe(false);
    waves.counts[1] = { succeeded: 40, failed: 6, skipped: 0 };
    expect(waveHalts(waves)).toBe(true);
  });
});
