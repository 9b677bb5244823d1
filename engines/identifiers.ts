import { DatabaseError, type EngineKind } from './engine';

/**
 * The one place identifiers (database, table, column names) are checked and quoted (docs/database-operations.md "Identifiers").
 * The pattern is strict on purpose: letters, digits and underscores, starting with a letter or
 * underscore, at most 63 characters (PostgreSQL's limit, the smallest of our engines). Anything
 * else, quotes and semicolons included, is refused before any SQL is built; values are always
 * bound parameters and never pass through here.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export function isValidIdentifier(name: unknown): name is string {
  return typeof name === 'string' && IDENTIFIER.test(name);
}

/** Throws a non-retryable `invalid-identifier` error naming what the identifier was for. */
export function assertIdentifier(name: unknown, what: string): string {
  if (!isValidIdentifier(name)) {
    throw new DatabaseError(
      'invalid-identifier',
      `invalid ${what} ${JSON.stringify(name)}: use letters, digits and underscores (start with a letter or underscore, at most 63)`,
    );
  }
  return name;
}

/** Validates, then quotes for the engine: "name" (SQLite, PostgreSQL) or [name] (SQL Server). */
export function quoteIdentifier(engine: EngineKind, name: unknown, what = 'identifier'): string {
  const valid = assertIdentifier(name, what);
  return engine === 'mssql' ? `[${valid}]` : `"${valid}"`;
}
