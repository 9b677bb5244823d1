import { createBackupLookupActivities, createLiveBackupActivities } from './backup-activities';
import { createCopyBackupActivity } from './copy-backup-activity';
import type { DatabaseActivityDependencies } from './database-dependencies';
import { createPostRestoreFixupActivities, createShrinkActivities } from './post-restore-fixups';
import { createRestoreActivities } from './restore-activities';
import { createRefreshActivity } from './transactional-refresh';

/** The database operations of docs/database-operations.md as activities. */
export function createDatabaseActivities(deps: DatabaseActivityDependencies) {
  return {
    ...createLiveBackupActivities(deps),
    ...createBackupLookupActivities(deps),
    ...createCopyBackupActivity(deps),
    ...createRestoreActivities(deps),
    ...createPostRestoreFixupActivities(deps),
    ...createShrinkActivities(deps),
    ...createRefreshActivity(deps),
  };
}
