import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Freeze } from '../domain/maintenance-windows';
/* ── Maintenance windows and freezes (docs/approvals-locks-windows.md): a workflow waiting for a window ── */

/** A freeze declared while a workflow already waits; it is taken into account at once. */
export const addFreezeSignal = defineSignal<[Freeze]>('add-freeze');

/* ── Maintenance windows and freezes (docs/approvals-locks-windows.md): a workflow waiting for a window ── */

/** An admin lets this workflow through a freeze; audited with the reason. */
export interface FreezeOverrideRequest {
  freezeId: string;
  user: string;
  reason: string;
}

/* ── Maintenance windows and freezes (docs/approvals-locks-windows.md): a workflow waiting for a window ── */
export const overrideFreezeSignal = defineSignal<[FreezeOverrideRequest]>('override-freeze');

/* ── Maintenance windows and freezes (docs/approvals-locks-windows.md): a workflow waiting for a window ── */

export interface MaintenanceWindowStatus {
  tenant: string;
  waiting: boolean;
  /** When the wait ends (ISO), as computed now; absent once open or when nothing opens. */
  opensAt?: string;
  freezes: Freeze[];
  overrides: (FreezeOverrideRequest & { at: string; counted: boolean; refusal?: string })[];
}

/* ── Maintenance windows and freezes (docs/approvals-locks-windows.md): a workflow waiting for a window ── */
export const maintenanceWindowQuery = defineQuery<MaintenanceWindowStatus>('maintenance-window');
