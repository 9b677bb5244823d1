import { describe, expect, it } from 'vitest';
import type { TargetRow } from '../../../domain/promotions/bundle-types';
import { backOutSteps, planAlreadyApplied, planPromotion } from '../../../domain/promotions/promotion-plan';
import { refusalFor } from '../../../domain/roles';

const row = (guid: string, name: string, definition = '{}', objectType = 'Form'): TargetRow => ({
  guid,
  objectType,
  businessObject: 'Incident',
  name,
  definition,
  installedByPackage: null,
  updatedAt: '2026-01-01',
});
const item = (guid: string, name: string, definition = '{}', objectType = 'Form') => ({
  guid,
  objectType,
  businessObject: 'Incident',
  name,
  definition,
});

describe('planPromotion', () => {
  it('creates new GUIDs, updates changed ones with their before-image, skips equal ones', () => {
    const target = [row('g1', 'Form A', '{"v":1}'), row('g2', 'Form B', '{"v":1}')];
    const plan = planPromotion(
      [item('g1', 'Form A', '{"v":2}'), item('g2', 'Form B', '{"v":1}'), item('g3', 'Form C')],
      target,
    );
    expect(plan.conflicts).toEqual([]);
    expect(plan.unchanged).toEqual(['g2']);
    expect(plan.changes).toEqual([
      { action: 'update', item: item('g1', 'Form A', '{"v":2}'), before: target[0] },
      { action: 'create', item: item('g3', 'Form C') },
    ]);
    expect(backOutSteps(plan.changes)).toEqual({ deletes: ['g3'], restores: [target[0]] });
    expect(planAlreadyApplied(plan.changes, target)).toBe(false);
    expect(planAlreadyApplied(plan.changes, [row('g1', 'Form A', '{"v":2}'), row('g3', 'Form C')])).toBe(true);
  });

  it('an item whose type and name the target uses under another GUID is a conflict', () => {
    const plan = planPromotion([item('g9', 'Local Form')], [row('t1', 'Local Form')]);
    expect(plan.changes).toEqual([]);
    expect(plan.conflicts).toEqual([
      'Form "Incident.Local Form" (GUID g9) conflicts with Form "Incident.Local Form" (GUID t1) already on the target: same type and name, another GUID',
    ]);
  });
});

describe('roles', () => {
  const members = { 'bundle-admin': ['bea'], 'promotion-admin': ['pat'], 'accept-bundle': ['svc'], admin: ['root'] };
  it('admin encompasses bundle-admin and promotion-admin but not accept-bundle', () => {
    expect(refusalFor(members, 'root', 'promotion-admin', 'promote')).toBeUndefined();
    expect(refusalFor(members, 'root', 'bundle-admin', 'create a bundle')).toBeUndefined();
    expect(refusalFor(members, 'root', 'accept-bundle', 'accept bundles')).toBe(
      "user 'root' may not accept bundles: it needs role accept-bundle; root has roles admin",
    );
    expect(refusalFor(members, '', 'promotion-admin', 'promote')).toBe(
      'promote: no user given; the action needs role promotion-admin',
    );
  });
});
