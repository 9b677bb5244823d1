import type { Knex } from 'knex';
import { AuditStore } from '../store/audit-store';
import { createAuditActivities, type Clock } from './audit/record-audit-event';

export interface ActivityDependencies {
  controlDb: Knex;
  clock?: Clock;
}

/** Every activity the worker registers, built once from its dependencies. */
export function createActivities(deps: ActivityDependencies) {
  const clock = deps.clock ?? { now: () => new Date() };
  return {
    ...createAuditActivities({ auditStore: new AuditStore(deps.controlDb), clock }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
