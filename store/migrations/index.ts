import type { Knex } from 'knex';
import * as auditEvents from './0001-audit-events';

/** Ordered by key. Add new migrations here; never edit one that has shipped. */
export const migrations: Record<string, Knex.Migration> = {
  '0001-audit-events': auditEvents,
};
