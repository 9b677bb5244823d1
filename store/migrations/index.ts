import type { Knex } from 'knex';
import * as auditEvents from './0001-audit-events';
import * as backupCatalog from './0100-backup-catalog';
import * as patchLog from './0200-patch-log';
import * as bundles from './0400-bundles';
import * as deployments from './0410-deployments';
import * as deploymentBackups from './0420-deployment-backups';

/** Ordered by key. Add new migrations here; never edit one that has shipped. */
export const migrations: Record<string, Knex.Migration> = {
  '0001-audit-events': auditEvents,
  '0100-backup-catalog': backupCatalog,
  '0200-patch-log': patchLog,
  '0400-bundles': bundles,
  '0410-deployments': deployments,
  '0420-deployment-backups': deploymentBackups,
};
