import { ApplicationFailure } from '@temporalio/common';
import { InventoryError } from '../../inventory/inventory';
import { DatabaseError, type DatabaseErrorKind } from '../../engines/engine';

const FAILURE_TYPES: Record<DatabaseErrorKind, string> = {
  auth: 'DatabaseAuthFailed',
  permission: 'DatabasePermissionDenied',
  'missing-file': 'BackupFileMissing',
  'missing-database': 'DatabaseMissing',
  checksum: 'BackupChecksumMismatch',
  'invalid-identifier': 'InvalidIdentifier',
  'invalid-input': 'InvalidDatabaseInput',
  transient: 'DatabaseTransient',
};

/**
 * Runs an activity body so that failures no retry can fix (docs/database-operations.md "Non-retryable errors": auth, permission, missing
 * file, checksum, bad input, inventory errors) become non-retryable with a message naming what
 * failed; transient ones stay retryable.
 */
export async function withDatabaseFailures<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asActivityFailure(error);
  }
}

export function asActivityFailure(error: unknown): unknown {
  if (error instanceof DatabaseError) {
    return ApplicationFailure.create({
      type: FAILURE_TYPES[error.kind],
      message: error.message,
      nonRetryable: !error.retryable,
    });
  }
  if (error instanceof InventoryError) {
    return ApplicationFailure.create({ type: 'InventoryInvalid', message: error.message, nonRetryable: true });
  }
  return error;
}

export function nonRetryable(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}
