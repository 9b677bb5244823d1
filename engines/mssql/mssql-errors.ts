import { DatabaseError, type DatabaseErrorKind } from '../engine';

/**
 * Maps SQL Server failures to the engine's error kinds (docs/database-operations.md "Non-retryable errors"): what no retry can fix (auth,
 * permission, missing database or file, damaged backup) becomes a non-retryable kind whose
 * message names the server, database and file; connection drops, timeouts and deadlocks
 * become `transient`. Anything unrecognized is returned unchanged, so Temporal's default
 * retry policy applies to it.
 *
 * BACKUP and RESTORE report a cause followed by the generic 3013 ("… is terminating
 * abnormally"); mssql keeps the earlier messages in `precedingErrors`, so every number of the
 * batch is looked at, never only the last.
 */

const BY_NUMBER: Array<[DatabaseErrorKind, readonly number[]]> = [
  // Damaged or foreign backup: read failure/checksum, malformed media family, damaged set,
  // page error found by RESTORE, not a valid backup set, malformed end of data.
  ['checksum', [3203, 3241, 3189, 3183, 3242, 3243, 3266]],
  // Cannot open backup device (OS error 2/3: not found), directory lookup for MOVE targets.
  ['missing-file', [3201, 5133]],
  ['auth', [18456, 18452, 18470, 18486, 18487, 18488]],
  // Object/database/server permission denied, no access to database, no BACKUP/RESTORE permission.
  ['permission', [229, 230, 262, 300, 916, 3110, 15247]],
  ['missing-database', [911, 4060, 15010]],
  // Deadlock victim, lock timeout, exclusive access not obtained, database in use, timeouts
  // and dropped or throttled connections (on-premises and Azure SQL).
  [
    'transient',
    [
      1205, 1222, 3101, 3702, 5061, -2, 64, 233, 10053, 10054, 10060, 10928, 10929, 40197, 40501, 40613, 49918, 49919,
      49920,
    ],
  ],
];

const TRANSIENT_CODES = new Set([
  'ESOCKET',
  'ETIMEOUT',
  'ECONNCLOSED',
  'ECONNRESET',
  'ENOTOPEN',
  'ECONNREFUSED',
  'EINSTLOOKUP',
]);

const DESCRIPTIONS: Record<DatabaseErrorKind, string> = {
  checksum: 'the backup is damaged or not a valid SQL Server backup',
  'missing-file': 'a file cannot be opened (missing, or no access for the SQL Server service)',
  auth: 'the login was refused',
  permission: 'permission denied',
  'missing-database': 'the database does not exist or cannot be opened',
  transient: 'a transient connection or locking failure',
  'invalid-identifier': 'an invalid identifier',
  'invalid-input': 'invalid input',
};

/** Where the failure happened, for the message; never credentials. */
export interface MssqlErrorSubject {
  server: string;
  operation: string;
  database?: string;
  file?: string;
}

interface MssqlLikeError {
  message?: string;
  code?: string;
  number?: number;
  precedingErrors?: MssqlLikeError[];
  originalError?: MssqlLikeError & { info?: { number?: number }; isTransient?: boolean };
}

/** The SQL Server error numbers carried by an mssql error, earliest first. */
export function errorNumbers(error: unknown): number[] {
  const e = error as MssqlLikeError | undefined;
  if (!e || typeof e !== 'object') return [];
  const own = e.number ?? e.originalError?.info?.number;
  return [...(e.precedingErrors ?? []).flatMap(errorNumbers), ...(typeof own === 'number' ? [own] : [])];
}

export function classifyMssqlError(error: unknown, subject: MssqlErrorSubject): unknown {
  if (error instanceof DatabaseError) return error;
  const kind = kindOf(error);
  if (!kind) return error;
  return new DatabaseError(kind, describe(kind, error, subject), { cause: error });
}

function kindOf(error: unknown): DatabaseErrorKind | undefined {
  const numbers = errorNumbers(error);
  const e = error as MssqlLikeError;
  if (e?.code === 'ELOGIN') {
    // tedious flags login errors the server calls transient (e.g. Azure SQL failing over).
    if (e.originalError?.isTransient) return 'transient';
    // It reports a missing database at login as a failed login too.
    return /cannot open database/i.test(allMessages(error)) ? 'missing-database' : 'auth';
  }
  // 3201 with OS error 5 is the service account lacking rights on the file, not a missing file.
  if (numbers.includes(3201) && /operating system error 5\b|access is denied/i.test(allMessages(error)))
    return 'permission';
  for (const [kind, known] of BY_NUMBER) {
    if (numbers.some((n) => known.includes(n))) return kind;
  }
  if (e?.code && TRANSIENT_CODES.has(e.code)) return 'transient';
  return undefined;
}

function describe(kind: DatabaseErrorKind, error: unknown, subject: MssqlErrorSubject): string {
  const where = [
    `server ${subject.server}`,
    ...(subject.database ? [`database ${JSON.stringify(subject.database)}`] : []),
    ...(subject.file ? [`file ${JSON.stringify(subject.file)}`] : []),
  ].join(', ');
  const numbers = errorNumbers(error);
  const codes = numbers.length > 0 ? ` (SQL Server error ${numbers.join(', ')})` : '';
  return `${subject.operation} failed: ${DESCRIPTIONS[kind]} — ${where}${codes}: ${allMessages(error)}`;
}

function allMessages(error: unknown): string {
  const e = error as MssqlLikeError | undefined;
  if (!e || typeof e !== 'object') return String(error);
  const messages = [...(e.precedingErrors ?? []).map(allMessages), e.message ?? String(error)];
  return [...new Set(messages.filter((m) => m.length > 0))].join(' ');
}
