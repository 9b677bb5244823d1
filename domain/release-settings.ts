/**
 * Release settings (docs/releases.md "Settings and defaults", docs/approvals-locks-windows.md): built-in defaults, overridden by the inventory's `release`
 * sections (global, then per tenant) and by the release's own input. Pure, so the activity
 * that resolves them and the tests share one set of rules.
 */
import type { GateDefinition, TimeoutAction } from './gates';
import type { Freeze, MaintenanceWindow, Weekday } from './maintenance-windows';

/** The gates of a standard release, in the order they open. Wire names. */
export const RELEASE_GATES = ['uat-push', 'production-push', 'go-live'] as const;
export type ReleaseGateName = (typeof RELEASE_GATES)[number];

/** Phases whose default durations are expectations: overdue ones notify the release managers. */
export const TIMED_PHASES = ['baseline', 'configure', 'uatRefresh', 'uatPush', 'acceptance', 'afterwards'] as const;
export type TimedPhase = (typeof TIMED_PHASES)[number];

/** `90` (seconds), or `30s`, `15m`, `4h`, `5d`, `3w`. */
export type DurationSetting = number | string;

export interface GateSpec {
  approvers?: string[];
  /** An inventory role; resolved to its members when the release starts. */
  role?: string;
  requiredApprovals?: number;
  timeout?: DurationSetting;
  onTimeout?: TimeoutAction;
  escalation?: { approvers: string[]; timeout: DurationSetting };
  reminderEvery?: DurationSetting;
}

export interface WindowSpec {
  days: Weekday[];
  start: string;
  duration: DurationSetting;
  timeZone: string;
}

/** The shape of an inventory `release` section, and of `ReleaseInput.settings`. */
export interface ReleaseSettingsSpec {
  backupType?: 'live' | 'last' | 'copied' | 'alreadyRestored';
  /** Who may `resolve`/`cancel` gates besides the release's starter. */
  releaseManagers?: string[];
  /** Who may override a freeze; anyone naming a reason when absent. */
  freezeAdmins?: string[];
  phaseDurations?: Partial<Record<TimedPhase, DurationSetting>>;
  /** Initial provisioning: lock production this long after the go-live date without confirmation. */
  autoLockAfterGoLive?: DurationSetting;
  gates?: Partial<Record<ReleaseGateName, GateSpec>>;
  maintenanceWindows?: WindowSpec[];
  freezes?: Freeze[];
}

/** Resolved settings: what the release workflow runs with (recorded in its history; no secret). */
export interface ReleaseSettings {
  backupType: NonNullable<ReleaseSettingsSpec['backupType']>;
  releaseManagers: string[];
  freezeAdmins?: string[];
  phaseSeconds: Record<TimedPhase, number>;
  autoLockAfterGoLiveSeconds: number;
  gates: Record<ReleaseGateName, GateDefinition>;
  maintenanceWindows: MaintenanceWindow[];
  freezes: Freeze[];
}

const DAY = 86_400;

/** Default timings (docs/releases.md "Steps"): baseline 5 days, configure 3 weeks, UAT refresh 3 days, UAT ≥ 1 week, acceptance 2 days, afterwards 3 business days. */
export const SEED_RELEASE_DEFAULTS = {
  backupType: 'live',
  phaseSeconds: {
    baseline: 5 * DAY,
    configure: 21 * DAY,
    uatRefresh: 3 * DAY,
    uatPush: 7 * DAY,
    acceptance: 2 * DAY,
    afterwards: 5 * DAY,
  },
  autoLockAfterGoLiveSeconds: 10 * DAY,
  gate: { requiredApprovals: 1, timeoutSeconds: 7 * DAY, onTimeout: 'remind' as TimeoutAction },
} as const;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: DAY, w: 7 * DAY };

/** Seconds of a duration setting; throws naming `where` when it is not one. */
export function parseDuration(value: DurationSetting, where: string): number {
  if (typeof value === 'number' && value > 0 && Number.isFinite(value)) return value;
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$/.exec(value) : null;
  if (!match || Number(match[1]) <= 0)
    throw new Error(`${where}: '${value}' is not a duration (seconds, or e.g. 30s, 15m, 4h, 5d, 3w)`);
  return Number(match[1]) * UNIT_SECONDS[match[2]];
}

/** Seconds as the settings write them: 2 → "2s", 5400 → "1.5h", 1814400 → "3w". */
export function describeDuration(seconds: number): string {
  const [unit, size] = Object.entries(UNIT_SECONDS)
    .reverse()
    .find(([, size]) => seconds >= size) ?? ['s', 1];
  return `${Math.round((seconds / size) * 10) / 10}${unit}`;
}

/**
 * Merges the layers (later wins, per key) and resolves roles to their members. Problems are
 * collected, each naming where the bad value came from, so one error lists them all.
 */
export function resolveReleaseSettings(
  layers: { name: string; spec: ReleaseSettingsSpec | undefined }[],
  roles: Record<string, string[]>,
  tenant: string,
): { settings: ReleaseSettings; problems: string[] } {
  const problems: string[] = [];
  const at = <T>(where: string, fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (error) {
      problems.push(
        (error as Error).message.startsWith(where) ? (error as Error).message : `${where}: ${(error as Error).message}`,
      );
      return fallback;
    }
  };
  const pick = <K extends keyof ReleaseSettingsSpec>(key: K) => {
    for (const layer of [...layers].reverse())
      if (layer.spec?.[key] !== undefined) return { value: layer.spec[key]!, from: layer.name };
    return undefined;
  };
  const phaseSeconds = { ...SEED_RELEASE_DEFAULTS.phaseSeconds } as Record<TimedPhase, number>;
  for (const layer of layers) {
    for (const [phase, value] of Object.entries(layer.spec?.phaseDurations ?? {})) {
      if (!(TIMED_PHASES as readonly string[]).includes(phase))
        problems.push(`${layer.name}.phaseDurations.${phase}: unknown phase (known: ${TIMED_PHASES.join(', ')})`);
      else
        phaseSeconds[phase as TimedPhase] = at(
          `${layer.name}.phaseDurations.${phase}`,
          () => parseDuration(value!, `${layer.name}.phaseDurations.${phase}`),
          1,
        );
    }
  }
  const autoLock = pick('autoLockAfterGoLive');
  const windows = pick('maintenanceWindows');
  const gates = {} as Record<ReleaseGateName, GateDefinition>;
  for (const name of RELEASE_GATES) gates[name] = resolveGate(name, layers, roles, at);
  return {
    settings: {
      backupType: pick('backupType')?.value ?? SEED_RELEASE_DEFAULTS.backupType,
      releaseManagers: [...new Set(layers.flatMap((l) => l.spec?.releaseManagers ?? []))],
      freezeAdmins: pick('freezeAdmins')?.value,
      phaseSeconds,
      autoLockAfterGoLiveSeconds: autoLock
        ? at(
            `${autoLock.from}.autoLockAfterGoLive`,
            () => parseDuration(autoLock.value, `${autoLock.from}.autoLockAfterGoLive`),
            1,
          )
        : SEED_RELEASE_DEFAULTS.autoLockAfterGoLiveSeconds,
      gates,
      maintenanceWindows: (windows?.value ?? []).map((w, i) => ({
        days: w.days,
        start: w.start,
        timeZone: w.timeZone,
        durationMinutes:
          at(
            `${windows!.from}.maintenanceWindows.${i}.duration`,
            () => parseDuration(w.duration, `${windows!.from}.maintenanceWindows.${i}.duration`),
            60,
          ) / 60,
      })),
      // Freezes add up: a global freeze still holds when the tenant declares its own.
      freezes: layers.flatMap((l) =>
        (l.spec?.freezes ?? []).map((f) => (l.name.includes('tenants.') ? { ...f, tenant: f.tenant ?? tenant } : f)),
      ),
    },
    problems,
  };
}

function resolveGate(
  name: ReleaseGateName,
  layers: { name: string; spec: ReleaseSettingsSpec | undefined }[],
  roles: Record<string, string[]>,
  at: <T>(where: string, fn: () => T, fallback: T) => T,
): GateDefinition {
  const merged: GateSpec & { from?: string } = {};
  for (const layer of layers) {
    const spec = layer.spec?.gates?.[name];
    if (spec) Object.assign(merged, spec, { from: `${layer.name}.gates.${name}` });
  }
  const where = merged.from ?? `gates.${name}`;
  const role = merged.role !== undefined ? roles[merged.role] : undefined;
  if (merged.role !== undefined && !role)
    at(
      where,
      () => {
        throw new Error(`${where}.role: no role '${merged.role}' in the inventory's roles`);
      },
      undefined,
    );
  const definition: GateDefinition = {
    name,
    approvers: merged.approvers ?? [],
    ...(role ? { role: { name: merged.role!, members: role } } : {}),
    requiredApprovals: merged.requiredApprovals ?? SEED_RELEASE_DEFAULTS.gate.requiredApprovals,
    timeoutSeconds:
      merged.timeout !== undefined
        ? at(`${where}.timeout`, () => parseDuration(merged.timeout!, `${where}.timeout`), 1)
        : SEED_RELEASE_DEFAULTS.gate.timeoutSeconds,
    onTimeout: merged.onTimeout ?? SEED_RELEASE_DEFAULTS.gate.onTimeout,
  };
  if (merged.escalation) {
    definition.escalation = {
      approvers: merged.escalation.approvers,
      timeoutSeconds: at(
        `${where}.escalation.timeout`,
        () => parseDuration(merged.escalation!.timeout, `${where}.escalation.timeout`),
        1,
      ),
    };
  }
  if (merged.reminderEvery !== undefined) {
    definition.reminderEverySeconds = at(
      `${where}.reminderEvery`,
      () => parseDuration(merged.reminderEvery!, `${where}.reminderEvery`),
      1,
    );
  }
  return definition;
}
