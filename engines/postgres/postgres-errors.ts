import { DatabaseError, type DatabaseErrorKind } from '../engine';

/** SQLSTATE classes and codes no retry can fix (PostgreSQL appendix A). */
const SQLSTATE_KINDS: Record<string, DatabaseErrorKind> = {
  '28P01': 'auth', // invalid_password
  '28000': 'auth', // invalid_authorization_specification
  '42501': 'permission', // insufficient_privilege
  '3D000': 'missing-database', // invalid_catalog_name
  '42P01': 'invalid-input', // undefined_table
  '42601': 'invalid-input', // syntax_error (a clean-up script, say)
  '42703': 'invalid-input', // undefined_column
};

/** A driver error as a DatabaseError naming `subject`; unknown ones are transient (retried). */
export function classifyPostgresError(error: unknown, subject: string): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const code = String((error as { code?: unknown }).code ?? '');
  const message = (error as Error).message ?? String(error);
  const kind = SQLSTATE_KINDS[code] ?? 'transient';
  return new DatabaseError(kind, `${subject}: ${message}`, { cause: error });
}

/** pg_dump / pg_restore report in text only; these phrases are stable across versions 12–17. */
const CLI_PATTERNS: [RegExp, DatabaseErrorKind][] = [
  [/password authentication failed|no password supplied|authentication failed/i, 'auth'],
  [/permission denied|must be owner|insufficient privilege/i, 'permission'],
  [/database "[^"]*" does not exist/i, 'missing-database'],
  [/could not open input file|No such file or directory/i, 'missing-file'],
  [
    /did not find magic string|not (appear to )?be a valid archive|not a valid archive|unsupported version|unexpected end of file|could not read input file|corrupt|invalid (distance|block type|stored block|code)|incorrect header check|input file appears to be a text format dump|could not uncompress data/i,
    'checksum',
  ],
];

export function classifyCliFailure(program: string, stderr: string, subject: string): DatabaseError {
  const kind = CLI_PATTERNS.find(([pattern]) => pattern.test(stderr))?.[1] ?? 'transient';
  const firstLines = stderr.trim().split('\n').slice(0, 3).join(' | ');
  return new DatabaseError(kind, `${program} failed for ${subject}: ${firstLines || 'no error output'}`);
}
