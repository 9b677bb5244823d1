/** The data classes of a tenant database (SPEC §1); every table belongs to exactly one. */
export const DATA_CLASSES = ['settings', 'master', 'metadata', 'validation', 'transactional'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

/**
 * Seed 000's rules: validation data always moves with metadata; transactional data moves only
 * by a database copy or a transactional refresh.
 */
export function classesMovedWith(requested: DataClass[]): DataClass[] {
  const moved = new Set(requested);
  if (moved.has('metadata')) moved.add('validation');
  return DATA_CLASSES.filter((c) => moved.has(c));
}
