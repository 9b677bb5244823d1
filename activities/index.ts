import type { Knex } from 'knex';
import { AuditStore } from '../store/audit-store';
import { createAuditActivities, type Clock } from './audit/record-audit-event';
import { createNotificationActivities } from './notifications/notify';
import type { Mailer } from './notifications/smtp-mailer';

export interface ActivityDependencies {
  controlDb: Knex;
  clock?: Clock;
  /** SMTP mailer for notifications; without one they are written to the audit table. */
  mailer?: Mailer;
  /** Appended to user names to make mail addresses (`alice` → `alice@<mailDomain>`). */
  mailDomain?: string;
}

/** Every activity the worker registers, built once from its dependencies. */
export function createActivities(deps: ActivityDependencies) {
  const clock = deps.clock ?? { now: () => new Date() };
  return {
    ...createAuditActivities({ auditStore: new AuditStore(deps.controlDb), clock }),
    ...createNotificationActivities({
      auditStore: new AuditStore(deps.controlDb),
      clock,
      mailer: deps.mailer,
      mailDomain: deps.mailDomain,
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
