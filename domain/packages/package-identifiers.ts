/**
 * SQL identifiers that packages may name (business object tables, stored field columns, index
 * names). Validated here once; knex quotes them for each dialect and values are always bound.
 */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

export function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && IDENTIFIER.test(value);
}

export function assertIdentifier(value: unknown, what: string): string {
  if (!isIdentifier(value)) {
    throw new Error(
      `${what} must be an SQL identifier (a letter, then letters, digits or underscores), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
