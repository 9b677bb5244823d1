/**
 * Audit stories of one approval gate, shared by test/workflows/approval.test.ts and
 * test/workflows/gates.test.ts so both check the same sequence (notification rows left out).
 */

/** Rejected twice: re-requested after the first rejection, then waiting for the release manager. */
export const REJECTED_TWICE_AUDIT: readonly string[] = [
  'gate-opened',
  'decision-reject',
  'gate-rejected',
  'gate-rerequested',
  'decision-reject',
  'gate-rejected',
  'gate-needs-resolution',
];

/** Nobody decided (onTimeout reject): re-requested, timed out again, then cancelled by the release manager. */
export const TIMED_OUT_TWICE_THEN_CANCELLED_AUDIT: readonly string[] = [
  'gate-opened',
  'gate-timed-out',
  'gate-rerequested',
  'gate-timed-out',
  'gate-needs-resolution',
  'gate-cancel-requested',
  'gate-cancelled',
];
