import { describe, expect, it } from 'vitest';
import type { TargetSnapshot } from '../../../domain/packages/apply-plan';
import { applyOrder } from '../../../domain/packages/master-order';
import type { PackageDocument } from '../../../domain/packages/package-types';
import { simulate } from '../../../domain/packages/simulation';
import { change, form, guid, incremental } from '../../support/packages/package-builders';

const snapshot: TargetSnapshot = {
  items: [
    {
      guid: guid(100),
      objectType: 'BusinessObject',
      businessObject: null,
      name: 'Incident',
      definition: { table: 'incidents' },
      installedBy: null,
    },
    { guid: guid(101), objectType: 'Role', businessObject: null, name: 'Agent', definition: {}, installedBy: 'roles' },
    {
      guid: guid(102),
      objectType: 'Field',
      businessObject: 'Incident',
      name: 'id',
      definition: { stored: true },
      installedBy: null,
    },
  ],
  lists: [],
  tables: { incidents: ['id', 'subject', 'status'], tenant_settings: ['key', 'value'] },
  protectedTables: ['tenant_settings'],
};
const run = (pkg: PackageDocument) =>
  simulate(snapshot, applyOrder(pkg, { landscape: 'uat', settings: {}, aspects: [] }).units);
const messages = (pkg: PackageDocument) => run(pkg).issues.map((i) => `${i.severity} #${i.sequence}: ${i.message}`);

/** Packages with exactly one problem on the snapshot: what the problem is, the package, the issue reported. */
const PROBLEMS: Array<[string, PackageDocument, string]> = [
  [
    'update of a missing item',
    incremental('p', '1', [
      change(1, { operation: 'U', objectType: 'Form', businessObject: 'Incident', entityName: 'X', data: {} }),
    ]),
    `error #1: cannot update Form "X": the target has no item with GUID ${guid(1)}`,
  ],
  [
    'a GUID of another type',
    incremental('p', '1', [
      change(1, {
        operation: 'C',
        objectType: 'Form',
        businessObject: 'Incident',
        entityName: 'X',
        guid: guid(101),
        data: {},
      }),
    ]),
    `error #1: GUID ${guid(101)} is a Role on the target, not a Form`,
  ],
  [
    'a stored field on a business object without a table',
    incremental('p', '1', [
      change(1, {
        operation: 'C',
        objectType: 'Field',
        businessObject: 'Change',
        entityName: 'risk',
        schemaChange: true,
        data: { dataType: 'string' },
      }),
    ]),
    'error #1: business object Change has no table: the target (or an earlier change) needs a BusinessObject "Change" with data.table',
  ],
  [
    'a column that exists',
    incremental('p', '1', [
      change(1, {
        operation: 'C',
        objectType: 'Field',
        businessObject: 'Incident',
        entityName: 'status',
        schemaChange: true,
        data: { dataType: 'string' },
      }),
    ]),
    'error #1: table incidents already has a column status',
  ],
  [
    'a platform table',
    incremental('p', '1', [
      change(1, {
        operation: 'C',
        objectType: 'BusinessObject',
        entityName: 'Settings',
        schemaChange: true,
        data: { table: 'tenant_settings' },
      }),
    ]),
    'error #1: table tenant_settings belongs to the platform; a package cannot change its schema',
  ],
  [
    'an index over a missing column',
    incremental('p', '1', [
      change(1, {
        operation: 'C',
        objectType: 'Index',
        businessObject: 'Incident',
        entityName: 'ix_x',
        schemaChange: true,
        data: { columns: ['nope'] },
      }),
    ]),
    'error #1: index ix_x names columns nope that table incidents does not have',
  ],
  [
    'dropping the id column',
    incremental('p', '1', [
      change(1, {
        operation: 'D',
        objectType: 'Field',
        businessObject: 'Incident',
        entityName: 'id',
        guid: guid(102),
        schemaChange: true,
      }),
    ]),
    'error #1: the id column of table incidents cannot be dropped',
  ],
  [
    'deleting a business object whose field still names it',
    incremental('p', '1', [
      change(1, { operation: 'D', objectType: 'BusinessObject', entityName: 'Incident', guid: guid(100) }),
    ]),
    `error #1: cannot delete BusinessObject "Incident" (GUID ${guid(100)}): 1 item(s) still belong to it (Field "id" on Incident (GUID ${guid(102)})); delete them earlier in the package`,
  ],
  [
    'deleting what is not there',
    incremental('p', '1', [
      change(1, { operation: 'D', objectType: 'Form', businessObject: 'Incident', entityName: 'Gone' }),
    ]),
    `warning #1: Form "Gone" (GUID ${guid(1)}) is not on the target; nothing to delete`,
  ],
];

describe('validation against the target (simulation)', () => {
  it('follows the package through its own changes: a name freed earlier can be taken later', () => {
    const pkg = incremental('p', '1', [
      change(1, { operation: 'D', objectType: 'Role', entityName: 'Agent', guid: guid(101) }),
      change(2, { operation: 'C', objectType: 'Role', entityName: 'Agent', data: {} }),
    ]);
    expect(messages(pkg)).toEqual([]);
    expect(run(pkg).steps.map((s) => s.kind)).toEqual(['deleteItem', 'insertItem']);
  });

  it('deletes a business object once the package has deleted what belonged to it', () => {
    const pkg = incremental('p', '1', [
      change(1, { operation: 'D', objectType: 'Field', businessObject: 'Incident', entityName: 'id', guid: guid(102) }),
      change(2, { operation: 'D', objectType: 'BusinessObject', entityName: 'Incident', guid: guid(100) }),
    ]);
    expect(messages(pkg)).toEqual([]);
    expect(run(pkg).steps.map((step) => step.kind)).toEqual(['deleteItem', 'deleteItem']);
  });

  it('an overwrite keeps a business object that items outside the package still name', () => {
    const installed = (
      n: number,
      objectType: string,
      name: string,
      businessObject: string | null,
      by: string | null,
    ) => ({
      guid: guid(n),
      objectType,
      businessObject,
      name,
      definition: {},
      installedBy: by,
    });
    const target: TargetSnapshot = {
      ...snapshot,
      items: [
        installed(200, 'BusinessObject', 'Asset', null, 'assets'),
        installed(201, 'Field', 'tag', 'Asset', 'assets'),
        installed(202, 'Form', 'My Asset Form', 'Asset', null),
      ],
    };
    const pkg = incremental('assets', '2', [form(1, 'Other Form')], { overwrite: true });
    const issues = simulate(target, applyOrder(pkg, { landscape: 'uat', settings: {}, aspects: [] }).units).issues;
    expect(issues.filter((i) => i.severity === 'error').map((i) => i.message)).toEqual([
      `cannot delete BusinessObject "Asset" (GUID ${guid(200)}): 1 item(s) still belong to it (Form "My Asset Form" on Asset (GUID ${guid(202)})); delete them earlier in the package`,
    ]);
  });

  it.each(PROBLEMS)('reports %s by sequence number', (_name, pkg, message) => {
    expect(messages(pkg)).toEqual([message]);
  });

  it('a create on an existing GUID replaces the item, with a warning', () => {
    const pkg = incremental('p', '1', [
      change(1, {
        operation: 'C',
        objectType: 'Role',
        entityName: 'Agent',
        guid: guid(101),
        data: { rights: ['read'] },
      }),
      form(2, 'Other'),
    ]);
    expect(messages(pkg)).toEqual([
      `warning #1: Role "Agent" (GUID ${guid(101)}) already exists on the target; it will be replaced`,
    ]);
    expect(run(pkg).steps.map((s) => s.kind)).toEqual(['replaceItem', 'insertItem']);
  });
});
