import sql from 'mssql';
import { describe, expect, it } from 'vitest';
import { DatabaseError } from '../../../engines/engine';
import { classifyMssqlError, errorNumbers } from '../../../engines/mssql/mssql-errors';
import { batchError } from '../../support/database/recording-sql-session';

const FILE = 'D:\\Backups\\acme_production.bak';
const SUBJECT = { server: 'sql01:1433', operation: 'RESTORE DATABASE', database: 'acme_uat', file: FILE };

function loginError(message: string, isTransient = false): sql.ConnectionError {
  const tedious = Object.assign(new Error(message), { code: 'ELOGIN', isTransient });
  return new sql.ConnectionError(tedious);
}

function classify(error: unknown): DatabaseError {
  const classified = classifyMssqlError(error, SUBJECT);
  expect(classified).toBeInstanceOf(DatabaseError);
  return classified as DatabaseError;
}

const TERMINATING: [number, string] = [3013, 'RESTORE DATABASE is terminating abnormally.'];

/** Each failure as SQL Server or the driver reports it, and the kind it is classified as. */
const FAILURES: Array<[name: string, error: Error, kind: string]> = [
  ['login failed (18456)', loginError("Login failed for user 'stagecoach'."), 'auth'],
  [
    'database missing at login (4060)',
    loginError('Cannot open database "acme_uat" requested by the login. The login failed.'),
    'missing-database',
  ],
  [
    'permission denied on an object (229)',
    batchError([229, "The SELECT permission was denied on the object 'incidents'."]),
    'permission',
  ],
  [
    'permission denied in the database (262)',
    batchError([262, "CREATE DATABASE permission denied in database 'master'."]),
    'permission',
  ],
  [
    'no RESTORE permission (3110)',
    batchError([3110, "User does not have permission to RESTORE database 'acme_uat'."], TERMINATING),
    'permission',
  ],
  [
    'backup device not found (3201, OS error 2)',
    batchError(
      [
        3201,
        `Cannot open backup device '${FILE}'. Operating system error 2(The system cannot find the file specified.).`,
      ],
      TERMINATING,
    ),
    'missing-file',
  ],
  [
    'backup device access denied (3201, OS error 5)',
    batchError(
      [3201, `Cannot open backup device '${FILE}'. Operating system error 5(Access is denied.).`],
      TERMINATING,
    ),
    'permission',
  ],
  [
    'MOVE target directory missing (5133)',
    batchError(
      [5133, 'Directory lookup for the file "X:\\data\\a.mdf" failed with the operating system error 3.'],
      TERMINATING,
    ),
    'missing-file',
  ],
  [
    'read failure / checksum (3203)',
    batchError([3203, `Read on "${FILE}" failed: 13(The data is invalid.)`], TERMINATING),
    'checksum',
  ],
  [
    'malformed media family (3241)',
    batchError([3241, `The media family on device '${FILE}' is incorrectly formed.`], TERMINATING),
    'checksum',
  ],
  ['damaged backup set (3189)', batchError([3189, 'Damage to the backup set was detected.'], TERMINATING), 'checksum'],
  [
    'deadlock victim (1205)',
    batchError([1205, 'Transaction (Process ID 61) was deadlocked on lock resources.']),
    'transient',
  ],
  [
    'exclusive access not obtained (3101)',
    batchError([3101, 'Exclusive access could not be obtained because the database is in use.'], TERMINATING),
    'transient',
  ],
  [
    'transient login (Azure failover)',
    loginError("Database 'acme_uat' on server 'sql01' is not currently available.", true),
    'transient',
  ],
  ['connection reset', new sql.ConnectionError('Connection lost - read ECONNRESET', 'ESOCKET'), 'transient'],
  ['request timeout', new sql.RequestError('Timeout: Request failed to complete in 15000ms', 'ETIMEOUT'), 'transient'],
];

describe('SQL Server error classification', () => {
  it.each(FAILURES)('%s → %s', (_name, error, kind) => {
    const classified = classify(error);
    expect(classified.kind).toBe(kind);
    expect(classified.retryable).toBe(kind === 'transient');
    expect(classified.cause).toBe(error);
    expect(classified.message).toContain('server sql01:1433, database "acme_uat"');
    expect(classified.message).toContain(`file ${JSON.stringify(FILE)}`);
  });

  it('keeps the server messages and every error number of the batch in the message', () => {
    const error = classify(batchError([3203, `Read on "${FILE}" failed: 13(The data is invalid.)`], TERMINATING));
    expect(error.message).toBe(
      `RESTORE DATABASE failed: the backup is damaged or not a valid SQL Server backup — server sql01:1433, ` +
        `database "acme_uat", file ${JSON.stringify(FILE)} (SQL Server error 3203, 3013): ` +
        `Read on "${FILE}" failed: 13(The data is invalid.) RESTORE DATABASE is terminating abnormally.`,
    );
  });

  it('returns unknown failures unchanged so the retry policy applies', () => {
    const unknown = batchError([50000, 'raised by a trigger']);
    expect(classifyMssqlError(unknown, SUBJECT)).toBe(unknown);
    const onlyTerminating = batchError(TERMINATING);
    expect(classifyMssqlError(onlyTerminating, SUBJECT)).toBe(onlyTerminating);
    const plain = new Error('boom');
    expect(classifyMssqlError(plain, SUBJECT)).toBe(plain);
  });

  it('leaves errors that are already classified alone', () => {
    const invalid = new DatabaseError('invalid-identifier', 'invalid database name "x]"');
    expect(classifyMssqlError(invalid, SUBJECT)).toBe(invalid);
  });

  it('reads numbers from preceding errors first', () => {
    expect(errorNumbers(batchError([3201, 'a'], [3013, 'b']))).toEqual([3201, 3013]);
    expect(errorNumbers(new Error('plain'))).toEqual([]);
  });
});
