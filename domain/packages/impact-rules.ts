import { UI_DEFINITION_TYPES, type Change, type ObjectType } from './package-types';

export const IMPACT_LEVELS = ['low', 'medium', 'high'] as const;
export type ImpactLevel = (typeof IMPACT_LEVELS)[number];

interface RuleDefinition {
  id: string;
  level: ImpactLevel;
  /** The rule's wording in the impact table (docs/packages.md "Impact levels"). */
  text: string;
  matches(change: Change): boolean;
}

export interface ImpactRule extends RuleDefinition {
  /** What analysis reports when the rule matches; shared, never mutated. */
  reason: Readonly<{ rule: string; level: ImpactLevel; text: string }>;
}

const BUSINESS_OBJECT_PARTS: ObjectType[] = ['Field', 'Relationship'];
const WORKFLOW_LIKE: ObjectType[] = ['Workflow', 'Counter', 'ViewPart', 'GlobalConstant', 'RequestOffering', 'Report'];

const is = (...types: ObjectType[]) => {
  const set = new Set<string>(types);
  return (change: Change) => set.has(change.objectType);
};
const isUiDefinition = is(...UI_DEFINITION_TYPES);
const isBusinessObjectPart = is(...BUSINESS_OBJECT_PARTS);
const fieldUpdateSets =
  (...keys: string[]) =>
  (change: Change) =>
    change.objectType === 'Field' &&
    change.operation === 'U' &&
    keys.some((key) => change.data !== undefined && key in change.data);
const added = (change: Change) => change.operation === 'C';

/** The impact table of docs/packages.md "Impact levels", rule by rule. Order is the order reasons are listed in. */
const RULES: RuleDefinition[] = [
  {
    id: 'schema-change',
    level: 'high',
    text: 'Contains a database schema change',
    matches: (c) => c.schemaChange === true,
  },
  {
    id: 'business-object-deleted',
    level: 'high',
    text: 'Deletes a business object',
    matches: (c) => c.objectType === 'BusinessObject' && c.operation === 'D',
  },
  {
    id: 'field-stored',
    level: 'high',
    text: 'Updates a stored property for a field of a business object',
    matches: fieldUpdateSets('stored'),
  },
  {
    id: 'field-localized',
    level: 'high',
    text: 'Updates the IsLocalized property for a field of a business object',
    matches: fieldUpdateSets('isLocalized'),
  },
  {
    id: 'field-data-type',
    level: 'high',
    text: 'Updates the data type, length, or precision for a field of a business object',
    matches: fieldUpdateSets('dataType', 'length', 'precision'),
  },
  {
    id: 'field-unique',
    level: 'high',
    text: 'Updates a unique property for a field of a business object',
    matches: fieldUpdateSets('unique'),
  },
  {
    id: 'field-nullable',
    level: 'high',
    text: 'Updates a nullable property for a field of a business object',
    matches: fieldUpdateSets('nullable'),
  },
  { id: 'index', level: 'high', text: 'Changes the index', matches: is('Index') },
  { id: 'full-text-index', level: 'high', text: 'Changes the full-text search index', matches: is('FullTextIndex') },
  {
    id: 'audit-field',
    level: 'high',
    text: 'Adds or deletes an audit field',
    matches: (c) => c.objectType === 'AuditField' && c.operation !== 'U',
  },
  {
    id: 'business-object-added',
    level: 'medium',
    text: 'Adds a business object',
    matches: (c) => c.objectType === 'BusinessObject' && added(c),
  },
  {
    id: 'business-object-metadata',
    level: 'medium',
    text: 'Changes the metadata of a business object',
    matches: (c) =>
      (c.objectType === 'BusinessObject' && c.operation === 'U') ||
      isBusinessObjectPart(c) ||
      (c.objectType === 'AuditField' && c.operation === 'U'),
  },
  { id: 'business-rule', level: 'medium', text: 'Changes or overrides a business rule', matches: is('BusinessRule') },
  {
    id: 'ui-definition-changed',
    level: 'medium',
    text: 'Changes or deletes a form, list, layout, quick action, pick list definition, dashboard, chart part, list part, or special part',
    matches: (c) => isUiDefinition(c) && !added(c),
  },
  {
    id: 'role-changed',
    level: 'medium',
    text: 'Changes or deletes a role',
    matches: (c) => c.objectType === 'Role' && !added(c),
  },
  {
    id: 'branding-changed',
    level: 'medium',
    text: 'Changes or deletes branding',
    matches: (c) => c.objectType === 'Branding' && !added(c),
  },
  {
    id: 'workflow',
    level: 'medium',
    text: 'Changes a workflow, counter, view part, global constant, request offering, or report',
    matches: is(...WORKFLOW_LIKE),
  },
  {
    id: 'email-configuration',
    level: 'medium',
    text: 'Changes the email configuration',
    matches: is('EmailConfiguration'),
  },
  {
    id: 'integration-settings',
    level: 'medium',
    text: 'Changes integration settings',
    matches: is('IntegrationSettings'),
  },
  {
    id: 'ldap-authentication',
    level: 'medium',
    text: 'Changes the LDAP configuration or authentication provider',
    matches: is('LdapConfiguration', 'AuthenticationProvider'),
  },
  { id: 'password-policy', level: 'medium', text: 'Changes the password policy', matches: is('PasswordPolicy') },
  {
    id: 'escalation-schedule',
    level: 'medium',
    text: 'Changes an escalation schedule',
    matches: is('EscalationSchedule'),
  },
  {
    id: 'ui-definition-added',
    level: 'low',
    text: 'Adds a form, list, layout, quick action, pick list definition, dashboard, chart part, list part, special part',
    matches: (c) => isUiDefinition(c) && added(c),
  },
  { id: 'role-added', level: 'low', text: 'Adds a role', matches: (c) => c.objectType === 'Role' && added(c) },
  {
    id: 'branding-added',
    level: 'low',
    text: 'Adds branding',
    matches: (c) => c.objectType === 'Branding' && added(c),
  },
  {
    id: 'data-only',
    level: 'low',
    text: 'Does not contain a database schema change or changes to the metadata for a business object',
    matches: is('ValidationList'),
  },
];

export const IMPACT_RULES: ImpactRule[] = RULES.map((rule) => ({
  ...rule,
  reason: Object.freeze({ rule: rule.id, level: rule.level, text: rule.text }),
}));

const RANK: Record<ImpactLevel, number> = { low: 0, medium: 1, high: 2 };

export function maxLevel(levels: Iterable<ImpactLevel>): ImpactLevel {
  let rank = 0;
  for (const level of levels) rank = Math.max(rank, RANK[level]);
  return IMPACT_LEVELS[rank];
}
