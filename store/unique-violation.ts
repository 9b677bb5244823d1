/** True when a driver error is a unique-key violation, on any of our three engines. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; number?: unknown } | null;
  if (!e) return false;
  return (
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    e.code === '23505' || // PostgreSQL unique_violation
    e.number === 2627 || // SQL Server: violation of UNIQUE KEY constraint
    e.number === 2601 // SQL Server: duplicate key row in unique index
  );
}

/**
 * Runs an insert a retried call may repeat (activities retry): false when the key is there
 * already, so the second insert is a no-op instead of an error.
 */
export async function insertOnce(insert: PromiseLike<unknown>): Promise<boolean> {
  try {
    await insert;
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}
