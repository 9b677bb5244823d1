import { DatabaseError, type EngineCallOptions, type ServerConnection } from '../engine';
import { type ProgressPolling, runWithProgress } from './mssql-progress';
import type { SqlSession } from './mssql-session';
import {
  checkServerPath,
  databaseStateStatement,
  defaultFilePathsStatement,
  dropDatabaseStatement,
  fileListStatement,
  multiUserStatement,
  orphanedUsersStatement,
  renameDatabaseStatement,
  repairOrphanedUserStatement,
  restoreStatement,
  singleUserStatement,
  type FileMove,
} from './mssql-statements';
import { isValidIdentifier } from '../identifiers';

/** A row of RESTORE FILELISTONLY (the columns we use). */
export interface BackupFileRow {
  LogicalName: string;
  PhysicalName: string;
  /** D data, L log, F full-text catalog, S FILESTREAM/memory-optimized container. */
  Type: string;
}

/**
 * Where each file of the backup goes for the database `databaseName`. Physical names are
 * derived from the database name and the file's position, never from names found in the
 * backup, so they are predictable and cannot collide with the source's files on a shared server.
 */
export function planFileMoves(
  files: BackupFileRow[],
  databaseName: string,
  dataDirectory: string,
  logDirectory: string,
): FileMove[] {
  let data = 0;
  let log = 0;
  return files.map((file) => {
    const isLog = file.Type === 'L';
    const index = isLog ? log++ : data++;
    const suffix = isLog ? `_log${index === 0 ? '' : `_${index}`}.ldf` : index === 0 ? '.mdf' : `_${index}.ndf`;
    const name =
      file.Type === 'D' || isLog ? `${databaseName}${suffix}` : `${databaseName}_${file.Type.toLowerCase()}_${index}`;
    return { logicalName: file.LogicalName, physicalName: joinServerPath(isLog ? logDirectory : dataDirectory, name) };
  });
}

/** Joins with the separator the directory already uses (Windows `\` or Linux `/`). */
export function joinServerPath(directory: string, name: string): string {
  const separator = directory.includes('\\') ? '\\' : '/';
  return directory.endsWith('\\') || directory.endsWith('/')
    ? `${directory}${name}`
    : `${directory}${separator}${name}`;
}

/** What to restore where; `scratchName` is deterministic so a retry reuses its own scratch. */
export interface RestorePlan {
  target: ServerConnection;
  file: string;
  scratchName: string;
}

/**
 * RESTORE into the scratch database, then swap it in place of the target (docs/database-operations.md "Restore", the engine
 * contract): the target is untouched until the restored copy passed `WITH CHECKSUM`.
 */
export async function restoreViaScratch(
  session: SqlSession,
  plan: RestorePlan,
  polling: ProgressPolling,
  options: EngineCallOptions,
): Promise<void> {
  const files = await session.query<BackupFileRow>(fileListStatement(plan.file));
  const directories = await fileDirectories(session, plan.target);
  const moves = planFileMoves(files, plan.scratchName, directories.data, directories.log);
  const restore = restoreStatement(plan.scratchName, plan.file, moves);
  // A scratch database left by an earlier attempt of this same restore: ours to overwrite.
  await takeExclusive(session, plan.scratchName);
  await runWithProgress(session, restore, 'RESTORE DATABASE', polling, options);
  await swapIn(session, plan.scratchName, plan.target.database);
}

async function fileDirectories(session: SqlSession, target: ServerConnection): Promise<{ data: string; log: string }> {
  if (target.dataDirectory) {
    const directory = checkServerPath('data directory', target.dataDirectory);
    return { data: directory, log: directory };
  }
  const [row] = await session.query<{ data_path: string | null; log_path: string | null }>(defaultFilePathsStatement());
  if (!row?.data_path) {
    throw new DatabaseError(
      'invalid-input',
      `server ${target.host}:${target.port} reports no default data path; set dataDirectory for database ${JSON.stringify(target.database)}`,
    );
  }
  return { data: row.data_path, log: row.log_path ?? row.data_path };
}

export async function databaseState(session: SqlSession, database: string): Promise<string | undefined> {
  const [row] = await session.query<{ state_desc: string }>(databaseStateStatement(database));
  return row?.state_desc;
}

/**
 * Makes this session the only user of an existing database. Only an ONLINE database takes
 * SINGLE_USER: one left RESTORING by a crashed restore refuses ALTER DATABASE, has no users,
 * and is overwritten or dropped as it is. Returns whether the database exists.
 */
async function takeExclusive(session: SqlSession, database: string): Promise<boolean> {
  const state = await databaseState(session, database);
  if (state === 'ONLINE') await session.query(singleUserStatement(database));
  return state !== undefined;
}

/** Drops the old target (kicking its sessions out) and renames the restored scratch to it. */
async function swapIn(session: SqlSession, scratchName: string, target: string): Promise<void> {
  await dropIfExists(session, target);
  await session.query(renameDatabaseStatement(scratchName, target));
  await session.query(multiUserStatement(target));
}

export async function dropIfExists(session: SqlSession, database: string): Promise<void> {
  if (!(await takeExclusive(session, database))) return;
  try {
    await session.query(dropDatabaseStatement(database));
  } catch (error) {
    // Not dropped (someone took the single connection): leave it usable, report the failure.
    await session.query(multiUserStatement(database)).catch(() => undefined);
    throw error;
  }
}

/** Users that still have no login after the repair (no login of their name on this server). */
export interface OrphanRepairResult {
  repaired: string[];
  unrepaired: string[];
}

/**
 * A restore onto another server leaves SQL users whose SID matches no login there. Each one
 * with a login of the same name is re-mapped to it; names outside the identifier pattern are
 * reported, never put into SQL.
 */
export async function repairOrphanedUsers(session: SqlSession, database: string): Promise<OrphanRepairResult> {
  const orphans = await session.query<{ user_name: string; has_login: number }>(orphanedUsersStatement(database));
  const result: OrphanRepairResult = { repaired: [], unrepaired: [] };
  for (const orphan of orphans) {
    if (orphan.has_login !== 1 || !isValidIdentifier(orphan.user_name)) {
      result.unrepaired.push(orphan.user_name);
      continue;
    }
    await session.query(repairOrphanedUserStatement(database, orphan.user_name));
    result.repaired.push(orphan.user_name);
  }
  return result;
}
