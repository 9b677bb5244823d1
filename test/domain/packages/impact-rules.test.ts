import { describe, expect, it } from 'vitest';
import { analyzeChange, analyzePackageImpact } from '../../../domain/packages/impact-analysis';
import { IMPACT_RULES, type ImpactLevel } from '../../../domain/packages/impact-rules';
import { OBJECT_TYPES, OPERATIONS, type Change } from '../../../domain/packages/package-types';
import { change, incremental, master } from '../../support/packages/package-builders';

type Example = Omit<Change, 'sequence' | 'guid'>;
const field = (data: Record<string, unknown>): Example => ({
  operation: 'U',
  objectType: 'Field',
  businessObject: 'Incident',
  entityName: 'Urgency',
  data,
});
const op = (
  operation: Change['operation'],
  objectType: Change['objectType'],
  extra: Partial<Example> = {},
): Example => ({
  operation,
  objectType,
  businessObject: 'Incident',
  entityName: 'Thing',
  ...(operation === 'D' ? {} : { data: { label: 'x' } }),
  ...extra,
});

/** One example per rule of the impact table (docs/packages.md "Impact levels"), with the level it gives. */
const EXAMPLES: Record<string, { example: Example; level: ImpactLevel }> = {
  'schema-change': { example: op('C', 'Field', { schemaChange: true, data: { dataType: 'string' } }), level: 'high' },
  'business-object-deleted': { example: op('D', 'BusinessObject', { businessObject: undefined }), level: 'high' },
  'field-stored': { example: field({ stored: true }), level: 'high' },
  'field-localized': { example: field({ isLocalized: true }), level: 'high' },
  'field-data-type': { example: field({ length: 400 }), level: 'high' },
  'field-unique': { example: field({ unique: true }), level: 'high' },
  'field-nullable': { example: field({ nullable: false }), level: 'high' },
  index: { example: op('C', 'Index', { data: { columns: ['status'] } }), level: 'high' },
  'full-text-index': { example: op('U', 'FullTextIndex'), level: 'high' },
  'audit-field': { example: op('C', 'AuditField'), level: 'high' },
  'business-object-added': { example: op('C', 'BusinessObject', { businessObject: undefined }), level: 'medium' },
  'business-object-metadata': { example: field({ label: 'Urgency level' }), level: 'medium' },
  'business-rule': { example: op('C', 'BusinessRule'), level: 'medium' },
  'ui-definition-changed': { example: op('D', 'QuickAction'), level: 'medium' },
  'role-changed': { example: op('U', 'Role', { businessObject: undefined }), level: 'medium' },
  'branding-changed': { example: op('D', 'Branding', { businessObject: undefined }), level: 'medium' },
  workflow: { example: op('U', 'Workflow'), level: 'medium' },
  'email-configuration': { example: op('U', 'EmailConfiguration', { businessObject: undefined }), level: 'medium' },
  'integration-settings': { example: op('U', 'IntegrationSettings', { businessObject: undefined }), level: 'medium' },
  'ldap-authentication': { example: op('U', 'AuthenticationProvider', { businessObject: undefined }), level: 'medium' },
  'password-policy': { example: op('U', 'PasswordPolicy', { businessObject: undefined }), level: 'medium' },
  'escalation-schedule': { example: op('C', 'EscalationSchedule', { businessObject: undefined }), level: 'medium' },
  'ui-definition-added': { example: op('C', 'Dashboard'), level: 'low' },
  'role-added': { example: op('C', 'Role', { businessObject: undefined }), level: 'low' },
  'branding-added': { example: op('C', 'Branding', { businessObject: undefined }), level: 'low' },
  'data-only': {
    example: op('U', 'ValidationList', { businessObject: undefined, data: { values: ['a'] } }),
    level: 'low',
  },
};

describe('impact rules (docs/packages.md)', () => {
  it('has an example for every rule', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(IMPACT_RULES.map((r) => r.id).sort());
  });

  for (const rule of IMPACT_RULES) {
    it(`${rule.id}: ${rule.text} → ${rule.level}`, () => {
      const { example, level } = EXAMPLES[rule.id];
      const impact = analyzeChange(change(3, example), 'pkg');
      expect(rule.level).toBe(level);
      expect(impact.reasons.map((r) => r.rule)).toContain(rule.id);
      expect(impact.reasons.find((r) => r.rule === rule.id)!.text).toBe(rule.text);
      expect(impact.level).toBe(level);
      expect(impact.sequence).toBe(3);
    });
  }

  it('gives every operation on every object type at least one reason', () => {
    for (const objectType of OBJECT_TYPES) {
      for (const operation of OPERATIONS) {
        const impact = analyzeChange(
          change(1, { operation, objectType, businessObject: 'Incident', entityName: 'X', data: {} }),
          'pkg',
        );
        expect(impact.reasons.length, `${operation} ${objectType}`).toBeGreaterThan(0);
      }
    }
  });

  it('lists every matching rule for a change and takes the highest level', () => {
    const impact = analyzeChange(change(9, field({ stored: true, nullable: true, label: 'x' })), 'pkg');
    expect(impact.reasons.map((r) => r.rule)).toEqual(['field-stored', 'field-nullable', 'business-object-metadata']);
    expect(impact.level).toBe('high');
  });

  it('rates a package by its highest change, across the sub-packages of a master', () => {
    const low = incremental('forms', '1', [change(1, op('C', 'Form'))]);
    const medium = incremental('rules', '1', [change(1, op('U', 'BusinessRule'))]);
    expect(analyzePackageImpact(low).level).toBe('low');
    const both = master('release', '1', [
      { relativeOrder: 1, package: low },
      { relativeOrder: 2, package: medium },
    ]);
    const impact = analyzePackageImpact(both);
    expect(impact.level).toBe('medium');
    expect(impact.counts).toEqual({ low: 1, medium: 1, high: 0 });
  });
});
