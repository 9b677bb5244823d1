import path from 'node:path';

/** The hostile and malformed package files of docs/packages.md "Limits", each with the refusal it must get. */
export const CORPUS = path.resolve(__dirname, '../../fixtures/packages/malformed');

/** Each malformed or hostile package and the error it must get: JSON path and reason. */
export const EXPECTED: Record<string, string> = {
  'bad-json.json': '$: not valid JSON at line 4 column 22',
  'not-an-object.json': '$: must be object, got array',
  'missing-kind.json': '$: missing required property "kind"',
  'unknown-kind.json': '$.kind: must be one of incremental, master, got "delta"',
  'wrong-format-version.json': '$.formatVersion: must be 1, got 2',
  'sequence-as-string.json': '$.transactionSets[0].changes[0].sequence: must be integer, got string "3"',
  'unknown-operation.json': '$.transactionSets[0].changes[0].operation: must be one of C, U, D, got "X"',
  'duplicate-sequence.json':
    '$.transactionSets[1].changes[0].sequence: duplicate sequence number 2 (first at $.transactionSets[0].changes[1])',
  'negative-sequence.json': '$.transactionSets[0].changes[0].sequence: must be >= 1, got -4',
  'missing-guid.json': '$.transactionSets[0].changes[0]: missing required property "guid"',
  'bad-guid.json': '$.transactionSets[0].changes[0].guid: must be a GUID (8-4-4-4-12 hexadecimal digits), got "1234"',
  'unknown-object-type.json': 'got "Trigger"',
  'sql-in-business-object.json':
    '$.transactionSets[0].changes[0].businessObject: must be an identifier: a letter, then letters, digits or underscores (at most 63), got "Incident; DROP TABLE incidents; --"',
  'sql-in-entity-name.json':
    '$.transactionSets[0].changes[0].entityName: must be a name of letters, digits, spaces and . _ # ( ) / & + - (no quotes, semicolons or control characters)',
  'sql-in-table-name.json':
    '$.transactionSets[0].changes[0].data.table: the business object table must be an SQL identifier (letters, digits, underscore), got "assets; drop table api_keys" (sequence 1)',
  'huge-entity-name.json': '$.transactionSets[0].changes[0].entityName: must be at most 255 characters, got 300',
  'master-cycle.json': 'cycle among master sub-packages: release-a → release-b → release-a',
  'master-self-reference.json': 'cycle among master sub-packages: release-a → release-a',
  'unresolved-ref.json': '$.subPackages[0].ref: no package with id "ghost" is defined in this document',
  'duplicate-relative-order.json':
    '$.subPackages[1].relativeOrder: relative order 1 is already used by $.subPackages[0]',
  'prototype-pollution.json':
    '$.transactionSets[0].changes[0].data.layout: data contains the forbidden key "__proto__" (sequence 1)',
  'unknown-property.json': '$.transactionSets[0].changes[0]: unknown property "sql"',
  'create-without-data.json': '$.transactionSets[0].changes[0]: missing required property "data"',
  'schema-change-on-update.json':
    '$.transactionSets[0].changes[0].schemaChange: a schema change is supported only when creating or deleting a BusinessObject, Field or Index, not U of Field (sequence 1)',
  'predicate-with-code.json': '$.subPackages[0].predicate: unknown property "eval"',
  'deeply-nested-data.json': 'data is nested deeper than 32 levels (sequence 1)',
  'inline-and-ref.json': '$.subPackages[0]: must have exactly one of "package" (inline) or "ref"',
  'guid-with-two-types.json':
    '$.transactionSets[0].changes[1].guid: GUID 11111111-2222-4333-8444-555555555001 is a Form at $.transactionSets[0].changes[0] but a Role here',
  'duplicate-package-id.json': '$.subPackages[1].package.id: package id "acme-forms" is defined twice',
  'field-without-business-object.json':
    '$.transactionSets[0].changes[0]: a Field change needs "businessObject" (sequence 1)',
  'validation-list-without-values.json': '$.transactionSets[0].changes[0].data.values: a ValidationList needs "values"',
  'validation-list-name-too-long.json':
    '$.transactionSets[0].changes[0].entityName: a ValidationList name must be at most 128 characters, got 200 (sequence 1)',
  'path-in-package-id.json': '$.id: must be a package id: letters, digits, . _ - (at most 100), got "../../etc/passwd"',
  'deeply-nested-predicate.json': 'the document is nested deeper than 128 levels',
  'deeply-nested-master.json': 'the document is nested deeper than 128 levels',
  'system-table-sqlite.json':
    "$.transactionSets[0].changes[0].data.table: table sqlite_master belongs to the database engine's own catalog; a business object cannot map it (sequence 1)",
  'system-table-postgres.json':
    "$.transactionSets[0].changes[0].data.table: table pg_authid belongs to the database engine's own catalog",
  'system-table-sqlserver.json':
    "$.transactionSets[0].changes[0].data.table: table sysobjects belongs to the database engine's own catalog",
  'duplicate-key.json':
    '$.transactionSets[0].changes[0].entityName: the key "entityName" appears twice in this object (line 16)',
  'duplicate-key-in-data.json':
    '$.transactionSets[0].changes[0].data.layout: the key "layout" appears twice in this object (line 19)',
  'big-integer.json':
    '$.transactionSets[0].changes[0].sequence: the integer 9007199254740993 is beyond 2^53 and would be rounded to 9007199254740992 (line 11)',
  'huge-number.json': '$.transactionSets[0].changes[0].data.width: the number 1e400 is too large to hold (line 19)',
  'clear-text-secret.json':
    '$.transactionSets[0].changes[0].data.smtp.password: a clear-text secret: write a reference (${ENV_NAME} or vault:<path>), never the secret itself (sequence 1)',
  'stored-field-bad-type.json':
    '$.transactionSets[0].changes[0].data.dataType: dataType must be one of string, text, integer',
};
