import { describe, expect, it } from 'vitest';
import { compactPackage } from '../../../domain/packages/compaction';
import { applyMergePatch } from '../../../domain/packages/merge-patch';
import { changesOf } from '../../../domain/packages/package-types';
import { change, guid, incremental } from '../../support/packages/package-builders';

const quickAction = guid(500);
const update = (sequence: number, data: Record<string, unknown>, extra = {}) =>
  change(sequence, {
    operation: 'U',
    objectType: 'QuickAction',
    businessObject: 'Incident',
    entityName: 'Escalate',
    guid: quickAction,
    data,
    ...extra,
  });

describe('compaction (docs/packages.md "Compaction")', () => {
  it('merges consecutive updates of one entity into one change with the same final definition', () => {
    const pkg = incremental('qa', '1', [], {
      transactionSets: [
        { id: 1, changes: [update(1, { label: 'Esc', icon: 'up' })] },
        { id: 2, changes: [update(2, { label: 'Escalate', steps: { a: 1 } })] },
        { id: 3, changes: [update(3, { icon: null, steps: { b: 2 } })] },
      ],
    });
    const { pkg: compacted, merged } = compactPackage(pkg);
    const changes = changesOf(compacted);
    expect(changes).toHaveLength(1);
    expect(compacted.transactionSets.map((s) => s.id)).toEqual([1]);
    expect(merged.get(1)).toEqual([1, 2, 3]);
    const start = { label: 'old', icon: 'down', steps: { z: 0 } };
    const stepByStep = changesOf(pkg).reduce((definition, c) => applyMergePatch(definition, c.data), start as unknown);
    expect(applyMergePatch(start, changes[0].data)).toEqual(stepByStep);
  });

  it('never merges a create with the updates after it', () => {
    const create = change(1, {
      operation: 'C',
      objectType: 'QuickAction',
      businessObject: 'Incident',
      entityName: 'Escalate',
      guid: quickAction,
      data: { label: 'a' },
    });
    const { pkg } = compactPackage(
      incremental('qa', '1', [create, update(2, { label: 'b' }), update(3, { label: 'c' })]),
    );
    expect(changesOf(pkg).map((c) => [c.sequence, c.operation, c.data])).toEqual([
      [1, 'C', { label: 'a' }],
      [2, 'U', { label: 'c' }],
    ]);
  });

  it('does not merge updates of different entities, different types, or non-consecutive ones', () => {
    const other = change(2, {
      operation: 'U',
      objectType: 'QuickAction',
      businessObject: 'Incident',
      entityName: 'Close',
      guid: guid(501),
      data: { label: 'x' },
    });
    const pkg = incremental('qa', '1', [
      update(1, { label: 'a' }),
      other,
      update(3, { label: 'b' }),
      update(4, { label: 'c' }),
    ]);
    expect(changesOf(compactPackage(pkg).pkg).map((c) => c.sequence)).toEqual([1, 2, 3]);
  });

  it('keeps updates apart when one patch cannot express both', () => {
    const pkg = incremental('qa', '1', [update(1, { steps: null }), update(2, { steps: { b: 1 } })]);
    expect(changesOf(compactPackage(pkg).pkg)).toHaveLength(2);
  });
});
