/**
 * Exit codes of `stagecoach`, defined once. Scripts branch on them, so their meaning never
 * changes: add new codes, never renumber.
 */
export const EXIT = {
  ok: 0,
  /** Anything not foreseen below: a bug, the server unreachable, a crash. */
  unexpected: 1,
  /** Bad command line: unknown command or option, missing or malformed argument. */
  usage: 2,
  /** The workflow, lock, backup or package named does not exist. */
  notFound: 3,
  /** The request was understood and refused: decision not counted, lock held, gate rejected. */
  refused: 4,
  /** The workflow (or operation) ran and failed. */
  failed: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The name used in `--json` error output, so scripts need not know the numbers. */
export function exitCodeName(code: ExitCode): string {
  const entry = Object.entries(EXIT).find(([, value]) => value === code);
  return entry ? entry[0] : 'unexpected';
}
