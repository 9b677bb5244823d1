import { z } from 'zod';
import { WEEKDAYS } from '../domain/maintenance-windows';
import { RELEASE_GATES, TIMED_PHASES, type ReleaseSettingsSpec } from '../domain/release-settings';

/**
 * The inventory's `release` section (top level: defaults for every tenant; per tenant:
 * overrides). Everything is optional: the default timings of docs/releases.md apply where nothing is said.
 *
 *   release:
 *     releaseManagers: [rita]
 *     phaseDurations: { configure: 3w }
 *     gates:
 *       uat-push: { role: customer-approvers, requiredApprovals: 1, timeout: 3d, onTimeout: remind }
 *     maintenanceWindows: [{ days: [fri], start: "22:00", duration: 6h, timeZone: Europe/Berlin }]
 *     freezes: [{ id: year-end, from: 2026-12-20T00:00:00Z, until: 2027-01-04T00:00:00Z }]
 */
const duration = z.union([
  z.number().positive(),
  z.string().regex(/^\s*\d+(\.\d+)?\s*(s|m|h|d|w)\s*$/, 'must be seconds or a duration such as 30s, 15m, 4h, 5d, 3w'),
]);
const user = z.string().min(1);

const gateSpec = z
  .object({
    approvers: z.array(user).optional(),
    role: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/)
      .optional(),
    requiredApprovals: z.number().int().min(1).optional(),
    timeout: duration.optional(),
    onTimeout: z.enum(['reject', 'escalate', 'remind']).optional(),
    escalation: z
      .object({ approvers: z.array(user).min(1), timeout: duration })
      .strict()
      .optional(),
    reminderEvery: duration.optional(),
  })
  .strict();

const windowSpec = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1),
    start: z.string().regex(/^\d{2}:\d{2}(:\d{2})?$/, 'must be HH:MM'),
    duration,
    timeZone: z.string().min(1),
  })
  .strict();

const isoInstant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date and time');
const freeze = z
  .object({
    id: z.string().min(1),
    from: isoInstant,
    until: isoInstant,
    tenant: z.string().optional(),
    reason: z.string().optional(),
  })
  .strict();

export const releaseSettingsSchema = z
  .object({
    backupType: z.enum(['live', 'last', 'copied', 'alreadyRestored']).optional(),
    releaseManagers: z.array(user).optional(),
    freezeAdmins: z.array(user).optional(),
    phaseDurations: z.partialRecord(z.enum(TIMED_PHASES), duration).optional(),
    autoLockAfterGoLive: duration.optional(),
    gates: z.partialRecord(z.enum(RELEASE_GATES), gateSpec).optional(),
    maintenanceWindows: z.array(windowSpec).optional(),
    freezes: z.array(freeze).optional(),
  })
  .strict() satisfies z.ZodType<ReleaseSettingsSpec>;
