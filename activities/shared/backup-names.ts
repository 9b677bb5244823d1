import { createHash } from 'node:crypto';
import type { InstanceRef } from '../../domain/landscapes';
import type { EngineKind } from '../../engines/engine';

const EXTENSIONS: Record<EngineKind, string> = { sqlite: 'db', postgres: 'dump', mssql: 'bak' };

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** Deterministic per workflow and source: a retried backup overwrites its own file, never another's. */
export function backupFileName(source: InstanceRef, workflowId: string, engine: EngineKind): string {
  return `${source.tenant}-${source.landscape}-${shortHash(workflowId)}.${EXTENSIONS[engine]}`;
}

/** The fresh database a restore writes before the swap; a valid identifier on every engine. */
export function scratchDatabaseName(target: InstanceRef, workflowId: string): string {
  return `stagecoach_restore_${shortHash(`${workflowId}|${target.tenant}|${target.landscape}`)}`;
}

/** A file name given by a user (backup type `copied`): a plain name, never a path. */
export function isPlainFileName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(name) && !name.includes('..');
}
