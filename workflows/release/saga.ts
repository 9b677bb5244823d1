import { CancellationScope, log } from '@temporalio/workflow';
import type { AuditTrail } from '../audit-trail';

/**
 * Compensations (STYLE "saga"): each step that changed something pushes its undo; when the
 * release is cancelled or fails they run newest first, outside cancellation, and a failing one
 * is logged and recorded without stopping the others.
 */
export interface Saga {
  push(name: string, undo: () => Promise<void>): void;
  compensate(trail: AuditTrail): Promise<void>;
}

export function createSaga(): Saga {
  const undos: { name: string; undo: () => Promise<void> }[] = [];
  return {
    push: (name, undo) => undos.push({ name, undo }),
    compensate: (trail) =>
      CancellationScope.nonCancellable(async () => {
        while (undos.length > 0) {
          const { name, undo } = undos.pop()!;
          try {
            await undo();
            trail.record('compensation-done', undefined, { compensation: name });
          } catch (error) {
            log.warn('compensation failed', { compensation: name, error: String(error) });
            trail.record('compensation-failed', undefined, { compensation: name, error: String(error) });
          }
        }
      }),
  };
}
