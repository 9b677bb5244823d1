/** The data classes of a tenant database (docs/domain.md "Data classes"); every table belongs to exactly one. */
export const DATA_CLASSES = ['settings', 'master', 'metadata', 'validation', 'transactional'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

/**
 * The movement rules of docs/domain.md: validation data always moves with metadata; transactional data moves only
 * by a database copy or a transactional refresh.
 */
export function classesMovedWith(requested: DataClass[]): DataClass[] {
  const moved = new Set(requested);
  if (moved.has('metadata')) moved.add('validation');
  return DATA_CLASSES.filter((c) => moved.has(c));
}
