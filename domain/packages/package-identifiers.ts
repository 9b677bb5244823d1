/**
 * The names a package may give to tables, stored field columns and indexes: a package format
 * rule (docs/packages.md), checked when the package is loaded. Stricter than what the engines
 * accept (engines/identifiers.ts, the one check at the point SQL is built, which also allows a
 * leading underscore): a package never names the platform's underscore-prefixed objects.
 */
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

export function isPackageIdentifier(value: unknown): value is string {
  return typeof value === 'string' && IDENTIFIER.test(value);
}
