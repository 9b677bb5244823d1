import { describe, expect, it } from 'vitest';
import { applyOrder, evaluatePredicate, type PredicateContext } from '../../../domain/packages/master-order';
import type { Predicate } from '../../../domain/packages/package-types';
import { form, incremental, master } from '../../support/packages/package-builders';

const context: PredicateContext = {
  landscape: 'uat',
  settings: { edition: 'enterprise', region: 'eu' },
  aspects: [{ vendorId: 'acme', id: 'itam', version: 3 }],
};
const ids = (order: ReturnType<typeof applyOrder>) =>
  order.units.map((u) => (u.kind === 'changes' ? u.pkg.id : `aspects:${u.packageId}`));

describe('master packages', () => {
  it('apply sub-packages in relative order, not document order', () => {
    const pkg = master('release', '1', [
      { relativeOrder: 30, package: incremental('c', '1', [form(1, 'C')]) },
      { relativeOrder: 10, package: incremental('a', '1', [form(1, 'A')]) },
      { relativeOrder: 20, package: incremental('b', '1', [form(1, 'B')]) },
    ]);
    expect(ids(applyOrder(pkg, context))).toEqual(['a', 'b', 'c']);
  });

  it('skip a sub-package whose predicate is false together with its own sub-packages', () => {
    const nested = master('eu-only', '1', [
      { relativeOrder: 1, package: incremental('eu-forms', '1', [form(1, 'EU')]) },
      { relativeOrder: 2, ref: 'shared' },
    ]);
    const pkg = master('release', '1', [
      { relativeOrder: 1, package: incremental('shared', '1', [form(1, 'S')]) },
      { relativeOrder: 2, predicate: { setting: { key: 'region', equals: 'us' } }, package: nested },
      {
        relativeOrder: 3,
        predicate: { landscape: ['uat', 'staging'] },
        package: incremental('uat-only', '1', [form(1, 'U')]),
      },
    ]);
    const order = applyOrder(pkg, context);
    expect(ids(order)).toEqual(['shared', 'uat-only']);
    expect(order.skipped).toEqual([
      { packageId: 'eu-only', path: 'release/eu-only', reason: expect.stringContaining('predicate is false') },
    ]);
  });

  it('apply aspects after their package, and later predicates see them', () => {
    const pkg = master(
      'release',
      '1',
      [
        {
          relativeOrder: 1,
          package: incremental('base', '1', [form(1, 'B')], {
            aspects: [{ vendorId: 'acme', id: 'cmdb', version: 1 }],
          }),
        },
        {
          relativeOrder: 2,
          predicate: { aspect: { vendorId: 'acme', id: 'cmdb' } },
          package: incremental('cmdb-extras', '1', [form(1, 'X')]),
        },
      ],
      { aspects: [{ vendorId: 'acme', id: 'release', version: 1 }] },
    );
    expect(ids(applyOrder(pkg, { ...context, aspects: [] }))).toEqual([
      'base',
      'aspects:base',
      'cmdb-extras',
      'aspects:release',
    ]);
  });

  it.each<[string, Predicate, boolean]>([
    ['setting equals', { setting: { key: 'edition', equals: 'enterprise' } }, true],
    ['setting notEquals', { setting: { key: 'edition', notEquals: 'enterprise' } }, false],
    ['setting in', { setting: { key: 'region', in: ['us', 'eu'] } }, true],
    ['setting exists', { setting: { key: 'missing', exists: true } }, false],
    ['setting absent', { setting: { key: 'missing', exists: false } }, true],
    ['inherited keys are not settings', { setting: { key: 'toString', exists: true } }, false],
    ['landscape', { landscape: ['production'] }, false],
    ['aspect with minimum version', { aspect: { vendorId: 'acme', id: 'itam', minVersion: 4 } }, false],
    ['all', { all: [{ landscape: ['uat'] }, { setting: { key: 'edition', equals: 'enterprise' } }] }, true],
    ['any', { any: [{ landscape: ['production'] }, { aspect: { vendorId: 'acme', id: 'itam' } }] }, true],
    ['not', { not: { landscape: ['uat'] } }, false],
  ])('predicate: %s', (_name, predicate, expected) => {
    expect(evaluatePredicate(predicate, context)).toBe(expected);
  });
});
