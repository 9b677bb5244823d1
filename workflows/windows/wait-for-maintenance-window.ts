import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import {
  nextOpenWindow,
  validateFreeze,
  validateMaintenanceWindow,
  type Freeze,
  type MaintenanceWindow,
} from '../../domain/maintenance-windows';
import type { AuditTrail } from '../audit-trail';
import { startWaitingFor } from '../shared/waiting-for';
import {
  addFreezeSignal,
  type FreezeOverrideRequest,
  maintenanceWindowQuery,
  type MaintenanceWindowStatus,
  overrideFreezeSignal,
} from '../../contracts/maintenance-windows';

export interface MaintenanceWindowWait {
  tenant: string;
  /** The tenant's windows from the inventory; none means any time outside freezes. */
  windows: MaintenanceWindow[];
  /** Freezes known when the wait starts; more may come by the `add-freeze` signal. */
  freezes: Freeze[];
  /** Who may override a freeze; anyone who names themselves and a reason when absent. */
  admins?: string[];
}

export interface MaintenanceWindowOpened {
  openedAt: string;
  /** When the window closes, if it does. */
  windowEnd?: string;
  overriddenFreezes: string[];
}

/**
 * Sleeps until the tenant's next maintenance window outside every freeze (docs/releases.md "Production push"),
 * recomputing when a freeze is added or overridden by signal. While it waits the workflow's
 * `StagecoachWaitingFor` is `maintenance-window`, so the Web UI can list who waits.
 */
export async function waitForMaintenanceWindow(
  wait: MaintenanceWindowWait,
  trail: AuditTrail,
): Promise<MaintenanceWindowOpened> {
  const problems = [
    ...wait.windows.flatMap((w, i) => validateMaintenanceWindow(w, `${wait.tenant} maintenance window ${i + 1}`)),
    ...wait.freezes.flatMap(validateFreeze),
  ];
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      type: 'InvalidMaintenanceWindow',
      message: problems.join('; '),
      nonRetryable: true,
    });
  }
  const status: MaintenanceWindowStatus = {
    tenant: wait.tenant,
    waiting: true,
    freezes: [...wait.freezes],
    overrides: [],
  };
  let changes = 0;
  registerFreezeHandlers(wait, status, trail, () => changes++);
  setHandler(maintenanceWindowQuery, () => status);

  const stopWaiting = startWaitingFor('maintenance-window');
  trail.record('maintenance-window-wait', undefined, {
    tenant: wait.tenant,
    windows: wait.windows.length,
    freezes: wait.freezes.length,
  });
  for (;;) {
    const overridden = status.overrides.filter((o) => o.counted).map((o) => o.freezeId);
    const open = nextOpenWindow(new Date(), wait.windows, status.freezes, wait.tenant, overridden);
    if (!open) {
      throw ApplicationFailure.create({
        type: 'NoMaintenanceWindow',
        message: `no maintenance window of ${wait.tenant} is free of freezes within three years`,
        nonRetryable: true,
      });
    }
    status.opensAt = open.start.toISOString();
    const seen = changes;
    const delay = open.start.getTime() - Date.now();
    if (delay <= 0 || !(await condition(() => changes !== seen, delay))) {
      if (open.start.getTime() > Date.now()) continue; // woke a moment early: recompute
      status.waiting = false;
      status.opensAt = undefined;
      stopWaiting();
      trail.record('maintenance-window-open', undefined, {
        tenant: wait.tenant,
        windowEnd: open.end?.toISOString(),
        overridden,
      });
      return { openedAt: new Date().toISOString(), windowEnd: open.end?.toISOString(), overriddenFreezes: overridden };
    }
  }
}

function registerFreezeHandlers(
  wait: MaintenanceWindowWait,
  status: MaintenanceWindowStatus,
  trail: AuditTrail,
  changed: () => void,
): void {
  setHandler(addFreezeSignal, (freeze) => {
    const problems = validateFreeze(freeze);
    const applies = freeze.tenant === undefined || freeze.tenant === wait.tenant;
    if (problems.length === 0 && applies && status.waiting) {
      status.freezes.push(freeze);
      changed();
    }
    trail.record(problems.length ? 'freeze-refused' : 'freeze-added', undefined, { ...freeze, applies, problems });
  });
  setHandler(overrideFreezeSignal, (request) => {
    const refusal = overrideRefusal(wait, status, request);
    status.overrides.push({ ...request, at: new Date().toISOString(), counted: !refusal, refusal });
    if (!refusal) changed();
    trail.record(refusal ? 'freeze-override-refused' : 'freeze-overridden', request.user, {
      freezeId: request.freezeId,
      reason: request.reason,
      refusal,
    });
  });
}

function overrideRefusal(
  wait: MaintenanceWindowWait,
  status: MaintenanceWindowStatus,
  request: FreezeOverrideRequest,
): string | undefined {
  if (!status.waiting) return 'this workflow no longer waits for a maintenance window';
  if (!request.user?.trim()) return 'an override must name the admin who makes it';
  if (!request.reason?.trim()) return 'an override needs a reason; it is written to the audit table';
  if (wait.admins && !wait.admins.includes(request.user)) return `${request.user} may not override freezes`;
  if (!status.freezes.some((f) => f.id === request.freezeId)) return `no freeze '${request.freezeId}' applies here`;
  return undefined;
}
